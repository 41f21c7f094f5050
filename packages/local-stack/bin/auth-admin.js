#!/usr/bin/env node
// `npm run auth-admin -- <group> <command>`: builds, then runs the admin CLI
// against the stack `npm start` runs (see src/auth-admin.ts).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '../../..');
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
require('../dist/auth-admin.js');

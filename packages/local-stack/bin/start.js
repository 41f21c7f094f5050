#!/usr/bin/env node
// `npm start` (which `exec`s this, so that a SIGTERM from `timeout` or a
// supervisor reaches this process and not a shell that would keep it):
// builds the workspaces, then runs the stack in this process.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '../../..');
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
require('../dist/main.js');

// Cruises several trees in one process, loading dependency-cruiser (and
// TypeScript) once instead of once per tree: node cruise-trees.mjs CONFIG DIR...
// prints {"DIR": ["rule", ...], ...}, the rules each tree violates.
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const [configPath, ...dirs] = process.argv.slice(2);
const config = require(configPath);
const violated = {};
for (const dir of dirs) {
  process.chdir(dir);
  const { output } = await cruise(['packages', 'services'], {
    ...config.options,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
  });
  violated[dir] = [...new Set(output.summary.violations.map((violation) => violation.rule.name))];
}
process.stdout.write(JSON.stringify(violated));

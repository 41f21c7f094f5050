import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A service's environment as docker-compose.yml gives it when nothing is
 * set: each `${VAR:-default}` replaced by its default, as Compose does.
 * Read from the file, so a test of the defaults follows the file.
 */
export function composeDefaults(service: 'auth' | 'resource'): Record<string, string> {
  const compose = readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8');
  const start = compose.indexOf(`\n  ${service}:\n`);
  if (start < 0) throw new Error(`docker-compose.yml has no service ${service}`);
  const rest = compose.slice(start + 1);
  const block = rest.slice(0, rest.search(/\n {2}[a-z]+:\n|\nvolumes:/));
  const environment = block.slice(block.indexOf('    environment:\n'));
  const env: Record<string, string> = {};
  for (const [, name, value] of environment.matchAll(/^ {6}([A-Z][A-Z0-9_]*): (.*)$/gm))
    env[name as string] = (value as string).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
  return env;
}

/** The same without the compose file's opt-in: the image run elsewhere, or the opt-in removed. */
export function composeDefaultsWithoutOptIn(service: 'auth' | 'resource'): Record<string, string> {
  const { ALLOW_PUBLIC_SECRETS: _optIn, ...env } = composeDefaults(service);
  return env;
}

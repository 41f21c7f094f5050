import { runAuthAdmin } from '@authpair/auth';

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs); undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON
  json: any;
}

/** Runs `auth-admin` in this process with `env` as its whole environment, capturing its output. */
export async function runAdmin(
  argv: string[],
  env: Record<string, string> = {},
): Promise<AdminRun> {
  let stdout = '';
  let stderr = '';
  const code = await runAuthAdmin(argv, {
    env,
    stdout: (chunk) => (stdout += chunk),
    stderr: (chunk) => (stderr += chunk),
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** Settings every reference peer reads, so all verify the same tokens against the same JWKS. */
export const port = Number(process.env.PORT ?? '0');
export const jwksUrl = process.env.JWKS_URL ?? '';
export const issuer = process.env.JWT_ISSUER ?? '';
export const audience = process.env.JWT_AUDIENCE ?? '';

export const greeting = (username: unknown) => ({
  message: `Hello, ${String(username)}! This is a protected resource.`,
});

export async function fetchJwks(): Promise<{
  keys: Array<Record<string, unknown> & { kid: string }>;
}> {
  const response = await fetch(jwksUrl);
  return (await response.json()) as { keys: Array<Record<string, unknown> & { kid: string }> };
}

// Exit on SIGTERM through process.exit, so `node --cpu-prof` writes its profile
// (a process killed by the default SIGTERM action writes none).
process.once('SIGTERM', () => process.exit(0));

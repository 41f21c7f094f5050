/**
 * A response body as text, read while counting its bytes: past `limit` the
 * stream is cancelled and `tooLarge()` thrown. A chunked body declares no
 * length, and `response.text()` would buffer whatever the endpoint sends
 * until the timeout; a declared length over the limit is refused before a
 * byte is read.
 */
export async function readCapped(
  response: Response,
  limit: number,
  tooLarge: () => Error,
): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  // As response.text() decodes: UTF-8, a leading BOM dropped, bad bytes replaced.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

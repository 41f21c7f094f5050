/**
 * The two forms of a username. The display form is what the user typed,
 * NFKC-normalised. The canonical form is what uniqueness is decided on:
 * NFKC, then a full case fold (upper then lower case approximates Unicode
 * case folding: "ß" becomes "ss", final sigma meets sigma), then NFKC again
 * because folding can denormalise. So "Alice", "alice", "ＡＬＩＣＥ" and
 * "ALİCE"'s neighbours are judged as one name where Unicode says they are.
 */
export function displayUsername(raw: string): string {
  return raw.normalize('NFKC');
}

export function canonicalUsername(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

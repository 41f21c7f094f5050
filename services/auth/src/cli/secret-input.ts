/** Reads a new secret (a password) for a command, never from its arguments. */
export type SecretReader = (prompt: string) => Promise<string>;

/** Ctrl-C, Ctrl-D, Enter, and the two keys that erase a character. */
const INTERRUPT = '\u0003';
const END_OF_INPUT = '\u0004';
const ERASE = new Set(['\u007f', '\b']);

/** One line from the terminal without echoing it. */
function readHidden(prompt: string, stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream) {
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    function onData(chunk: string) {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === END_OF_INPUT) {
          finish();
          return resolve(value);
        }
        if (char === INTERRUPT) {
          finish();
          return reject(new Error('cancelled'));
        }
        value = ERASE.has(char) ? [...value].slice(0, -1).join('') : value + char;
      }
    }
    stdin.on('data', onData);
  });
}

/** Everything piped in, less the one line break `echo` or a file adds. */
async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * The process's way to read a secret: from a terminal, typed twice without
 * echo; otherwise the whole of standard input (`printf %s "$PW" | …`, or a
 * file). Never from argv, where `ps` and shell history would see it.
 */
export function processSecretReader(
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): SecretReader {
  return async (prompt) => {
    if (!stdin.isTTY) return readPiped(stdin);
    const first = await readHidden(prompt, stdin, stderr);
    const again = await readHidden('Again: ', stdin, stderr);
    if (first !== again) throw new Error('the two entries differ');
    return first;
  };
}

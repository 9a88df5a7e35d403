/** Writing to stdout and stderr. Exit statuses are set, never forced, so that piped output is flushed. */
import { decodeText } from '../core/workspace/binary';

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeErr(text: string): void {
  process.stderr.write(text);
}

/** All of stdin as UTF-8 text. */
export async function readStdin(): Promise<string> {
  // Someone typing at a terminal needs to know the command is waiting for them.
  if (process.stdin.isTTY) writeErr('Reading the text from stdin; end it with Ctrl-D.\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return decodeText(Buffer.concat(chunks));
}

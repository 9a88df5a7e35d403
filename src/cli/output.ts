/** Writing to stdout and stderr. Exit statuses are set, never forced, so that piped output is flushed. */

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeErr(text: string): void {
  process.stderr.write(text);
}

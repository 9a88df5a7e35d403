/** Errors the CLI reports as a single line on stderr, and the exit status each one means. */

/** A failure the user should see as one line (exit status 1 unless said otherwise). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A command line that cannot be run as written: exit status 2, with a short usage to fix it. */
export class UsageError extends CliError {
  readonly usage: string | undefined;

  constructor(message: string, usage?: string) {
    super(message, 2);
    this.usage = usage;
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

/** A system error's code in words ("permission denied"), for messages about files. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code) return ERRNO_TEXT[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/** Messages must stay on one line, whatever library produced them. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Why a path was not counted: the same words in the CLI and the workspace view. */

export const BINARY = 'binary (a NUL byte or invalid UTF-8 in its first 8 KiB)';
export const SYMLINK = 'symbolic link (not followed)';
export const NOT_REGULAR = 'not a regular file';

export function tooLarge(size: number, limit: number): string {
  return `${formatBytes(size)}, over the ${formatBytes(limit)} size limit`;
}

/** `detail`: what went wrong, such as `describeError` gives. */
export function unreadable(detail: string): string {
  return `unreadable (${detail})`;
}

export function unreadableFolder(detail: string): string {
  return `unreadable folder (${detail})`;
}

/** "1,000 bytes", "1.5 KiB", "10 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${String(bytes).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} ${units[unit]}`;
}

/** A Node errno (`ENOENT`) or a VS Code `FileSystemError` code, else the message. */
export function describeError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && e.code) return e.code;
  return typeof e?.message === 'string' ? e.message : String(error);
}

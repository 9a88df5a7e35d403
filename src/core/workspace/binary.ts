/** Telling text from binary content, by the same rule in the CLI and the workspace view. */

/** How much of a file's start is looked at to tell text from binary. */
export const SNIFF_BYTES = 8192;

/**
 * True when the first 8 KiB of a file's content hold a NUL byte or are not UTF-8 (a character cut off
 * by the 8 KiB mark is fine). UTF-16 text, which is full of NULs, counts as binary.
 */
export function isBinary(bytes: Uint8Array): boolean {
  const start = bytes.subarray(0, SNIFF_BYTES);
  if (start.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(start, { stream: bytes.length > SNIFF_BYTES });
    return false;
  } catch {
    return true;
  }
}

// Past the sniffed start, invalid bytes become U+FFFD (as Node's `toString('utf8')` does). One leading
// BOM is dropped, as VS Code drops it when it opens the file: an open file and the same file counted from
// disk (workspace view, CLI) then have the same text and the same count.
const decoder = new TextDecoder('utf-8');

/** The text of a file that `isBinary` accepted, as VS Code opens it (without a leading BOM). */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

import { END_OF_TEXT } from './exact/nextByte';

/** How a byte reads: its character when it is one, else what part of a character it starts. */
export function describeByte(byte: number): string {
  if (byte === END_OF_TEXT) return 'end of text';
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  if (byte < 0x80) return /[\x21-\x7e]/.test(String.fromCharCode(byte)) ? `'${String.fromCharCode(byte)}'` : `${JSON.stringify(String.fromCharCode(byte))} (${hex})`;
  if (byte >= 0xf0) return `${hex}, starts a 4-byte character`;
  if (byte >= 0xe0) return `${hex}, starts a 3-byte character`;
  if (byte >= 0xc0) return `${hex}, starts a 2-byte character`;
  return `${hex}, continues a character`;
}

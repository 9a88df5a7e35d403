/**
 * The compact file format of a byte-level BPE vocabulary, written at build time from js-tiktoken's rank
 * files and from `tokenizer.json` files, and read at first use with no parsing beyond a JSON header:
 * loading `o200k_base` is typed-array views over one buffer plus building one hash table.
 */
import type { NormalForm } from '../../text/normalize';
import type { RegexDialect } from '../pretokenize/regexScanner';
import type { AddedToken } from './bpeTokenizer';

export interface BpeHeader {
  /** `ranks`: tiktoken (the rank of a byte string is its id); `merges`: Hugging Face merge rules. */
  kind: 'ranks' | 'merges';
  /** Pre-tokenizer patterns, applied one after the other (Rust regex syntax). */
  patterns: string[];
  /** How the patterns are read where Rust's `regex` and llama.cpp differ (GGUF vocabularies: llama.cpp). */
  dialect?: RegexDialect;
  addedTokens: AddedToken[];
  normalization?: NormalForm;
  trustWholePieces: boolean;
  vocabSize: number;
}

export interface BpeData {
  header: BpeHeader;
  bytes: Uint8Array;
  /** Token `id` has bytes `bytes[offsets[id] .. offsets[id + 1])`. */
  offsets: Uint32Array;
  /** Merge rule r joins ids `merges[2r]` and `merges[2r + 1]` into `results[r]` (kind `merges`). */
  merges: Uint32Array;
  results: Uint32Array;
}

const MAGIC = 'TWBPE001';

export function serializeBpe(data: BpeData): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(data.header));
  const align = (n: number) => (n + 3) & ~3;
  const headerEnd = align(12 + header.length);
  const offsetsAt = headerEnd + 4;
  const bytesAt = offsetsAt + data.offsets.byteLength + 4;
  const mergesAt = align(bytesAt + data.bytes.length) + 4;
  const total = mergesAt + data.merges.byteLength + data.results.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  view.setUint32(headerEnd, data.offsets.length, true);
  out.set(new Uint8Array(data.offsets.buffer, data.offsets.byteOffset, data.offsets.byteLength), offsetsAt);
  view.setUint32(bytesAt - 4, data.bytes.length, true);
  out.set(data.bytes, bytesAt);
  view.setUint32(mergesAt - 4, data.results.length, true);
  out.set(new Uint8Array(data.merges.buffer, data.merges.byteOffset, data.merges.byteLength), mergesAt);
  out.set(new Uint8Array(data.results.buffer, data.results.byteOffset, data.results.byteLength), mergesAt + data.merges.byteLength);
  return out;
}

export function deserializeBpe(file: Uint8Array, name: string): BpeData {
  // Typed-array views need 4-byte alignment; a Buffer from fs may sit at any offset of its pool.
  const buf = file.byteOffset % 4 === 0 ? file : file.slice();
  const fail = (what: string) => new Error(`${name}: not a Tokenwise vocabulary file (${what})`);
  if (buf.length < 16 || new TextDecoder().decode(buf.subarray(0, 8)) !== MAGIC) throw fail('bad magic');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (at: number) => {
    if (at + 4 > buf.length) throw fail('truncated');
    return view.getUint32(at, true);
  };
  const headerLength = u32(8);
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + headerLength))) as BpeHeader;
  const align = (n: number) => (n + 3) & ~3;
  const headerEnd = align(12 + headerLength);
  const offsetCount = u32(headerEnd);
  const offsetsAt = headerEnd + 4;
  const bytesAt = offsetsAt + offsetCount * 4 + 4;
  const byteCount = u32(bytesAt - 4);
  const mergesAt = align(bytesAt + byteCount) + 4;
  const mergeCount = u32(mergesAt - 4);
  if (mergesAt + mergeCount * 12 > buf.length) throw fail('truncated');
  const words = (at: number, count: number) => new Uint32Array(buf.buffer, buf.byteOffset + at, count);
  return {
    header,
    offsets: words(offsetsAt, offsetCount),
    bytes: buf.subarray(bytesAt, bytesAt + byteCount),
    merges: words(mergesAt, 2 * mergeCount),
    results: words(mergesAt + 8 * mergeCount, mergeCount),
  };
}

/**
 * One byte-level BPE engine for tiktoken encodings and Hugging Face byte-level `tokenizer.json` models:
 * a hand-written (or regular-expression) pre-tokenizer, a whole-piece lookup in a byte hash table, and
 * byte-pair merging only for pieces that are not a token themselves.
 */
import { normalizeWithMap, stableBelow, type NormalForm, type NormalizedText } from '../../text/normalize';
import { encodeUtf8Into, unitsAt, utf8, utf8WidthAt } from '../../text/utf8';
import type { Scanner } from '../pretokenize/scanners';
import { ENDS_MID_CHAR, PIECE_START, type EncodeOptions, type PieceEncoder, type PieceSink, type StopRule, type TokenSpans, type Tokenizer, type TokenizerInfo, type WindowTokens } from '../types';
import { HASH_START, hashBytes, hashStep, type ByteVocab } from './byteVocab';
import { PieceCache } from './pieceCache';
import { mergePiece, type MergeRules, type TokenSink } from './merge';
import { concatBytes } from '../../text/bytes';

export interface AddedToken {
  content: string;
  id: number;
  /** Special tokens are matched only when asked; other added tokens always, as Hugging Face does. */
  special: boolean;
}

export interface BpeSpec extends TokenizerInfo {
  vocab: ByteVocab;
  rules: MergeRules;
  /** The id of each single byte. */
  byteIds: Int32Array;
  scanner: Scanner;
  /** Whether restarting the scanner is safe right after any non-whitespace character (the built-in scanners). */
  localScanner: boolean;
  /**
   * tiktoken and Hugging Face's `ignore_merges` take a piece that is in the vocabulary as one token;
   * otherwise merging must be shown to rebuild it.
   */
  trustWholePieces: boolean;
  addedTokens: AddedToken[];
  normalization?: NormalForm;
}

/** Ids and byte lengths of merged tokens, reused between pieces. */
class MergeBuffer implements TokenSink {
  ids = new Int32Array(64);
  lengths = new Int32Array(64);
  size = 0;
  push(id: number, byteLength: number): void {
    if (this.size === this.ids.length) {
      const ids = new Int32Array(this.size * 2);
      ids.set(this.ids);
      this.ids = ids;
      const lengths = new Int32Array(this.size * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.ids[this.size] = id;
    this.lengths[this.size++] = byteLength;
  }
}

/**
 * Growable lists of a token stream's ids, units and flags, owned by the tokenizer and reused from call to
 * call. The sinks are made once: optimized code inlines them, and a sink made per call would die at the
 * next collection and take that code with it (V8 deoptimizes code whose embedded objects die).
 */
class TokenLists {
  ids = new Uint32Array(1024);
  units = new Uint32Array(0);
  flags = new Uint8Array(0);
  size = 0;
  counted = 0;

  readonly pushId: PieceSink = (id) => {
    if (this.size === this.ids.length) this.ids = grow(this.ids);
    this.ids[this.size++] = id;
  };

  readonly pushToken: PieceSink = (id, units, flags) => {
    if (this.size === this.units.length) {
      this.units = grow(this.units, this.ids.length);
      this.flags = grow(this.flags, this.ids.length);
    }
    this.units[this.size] = units;
    this.flags[this.size] = flags;
    this.pushId(id, units, flags);
  };

  readonly countToken: PieceSink = () => {
    this.counted++;
  };

  /** Starts a new stream, dropping buffers a huge text left behind. */
  reset(): void {
    this.size = 0;
    this.counted = 0;
    if (this.ids.length > 1 << 20) this.ids = new Uint32Array(1024);
    if (this.units.length > 1 << 20) {
      this.units = new Uint32Array(0);
      this.flags = new Uint8Array(0);
    }
  }
}

function grow<T extends Uint32Array | Uint8Array>(a: T, atLeast = 0): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, atLeast, 1024));
  b.set(a);
  return b;
}

export class BpeTokenizer implements Tokenizer, PieceEncoder {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly exact: boolean;
  readonly vocabSize: number;
  readonly restartMargin: number;
  private readonly spec: BpeSpec;
  private scratch = new Uint8Array(1024);
  private readonly merged = new MergeBuffer();
  private readonly lists = new TokenLists();
  /** Verdict per id on whether merging rebuilds the token from its bytes: 0 unknown, 1 yes, 2 no. */
  private readonly rebuilds: Uint8Array;
  private readonly cache = new PieceCache();
  /** Units and flags of the tokens of the piece being merged, packed as in the cache. */
  private packed = new Int32Array(64);
  private readonly specialsById = new Map<number, string>();
  private readonly alwaysAdded?: RegExp;
  private readonly allAdded?: RegExp;
  private readonly addedIds = new Map<string, number>();

  constructor(spec: BpeSpec) {
    this.spec = spec;
    this.id = spec.id;
    this.name = spec.name;
    this.family = spec.family;
    this.exact = spec.exact;
    this.vocabSize = spec.vocabSize;
    this.rebuilds = new Uint8Array(spec.trustWholePieces ? 0 : spec.vocab.size);
    for (const t of spec.addedTokens) {
      this.addedIds.set(t.content, t.id);
      if (t.special) this.specialsById.set(t.id, t.content);
    }
    const always = spec.addedTokens.filter((t) => !t.special);
    this.alwaysAdded = alternation(always);
    this.allAdded = alternation(spec.addedTokens);
    const longest = Math.max(0, ...always.map((t) => t.content.length));
    this.restartMargin = Math.max(4, longest + 1);
  }

  get pieces(): PieceEncoder | undefined {
    return this;
  }

  encode(text: string, options?: EncodeOptions): Uint32Array {
    const out = this.lists;
    out.reset();
    this.run(text, options, out.pushId);
    return out.ids.slice(0, out.size);
  }

  count(text: string, options?: EncodeOptions): number {
    const out = this.lists;
    out.reset();
    this.run(text, options, out.countToken);
    return out.counted;
  }

  tokenize(text: string, options?: EncodeOptions): TokenSpans {
    const out = this.lists;
    out.reset();
    this.run(text, options, out.pushToken);
    return spansFromUnits(text, out.ids.slice(0, out.size), out.units, out.flags);
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < ids.length; i++) {
      const bytes = this.tokenBytes(ids[i]);
      if (!bytes) throw new Error(`${this.id}: unknown token id ${ids[i]}`);
      parts.push(bytes);
    }
    return concatBytes(parts);
  }

  tokenBytes(id: number): Uint8Array | undefined {
    const special = this.specialsById.get(id);
    if (special !== undefined) return utf8(special);
    const { vocab } = this.spec;
    if (id >= 0 && id < vocab.size && vocab.byteLength(id) > 0) return vocab.bytes.subarray(vocab.offsets[id], vocab.offsets[id + 1]);
    for (const t of this.spec.addedTokens) if (t.id === id) return utf8(t.content);
    return undefined;
  }

  specialToken(id: number): string | undefined {
    return this.specialsById.get(id);
  }

  isRestartPoint(text: string, at: number): boolean {
    if (at === 0) return true;
    const before = text.charCodeAt(at - 1);
    const here = text.charCodeAt(at);
    if (this.spec.normalization && !(here < stableBelow(this.spec.normalization))) return false;
    if (this.spec.localScanner) return !isWhitespaceUnit(before) || !isWhitespaceUnit(here);
    // Other pre-tokenizers: only at the start of a line that begins with a non-space character.
    return (before === 10 || before === 13) && at < text.length && !isWhitespaceUnit(here);
  }

  encodeWindow(text: string, atEnd: boolean, stopAt: number, stops: StopRule): WindowTokens | undefined {
    const out = this.lists;
    out.reset();
    this.run(text, undefined, out.pushToken);
    const ids = out.ids.subarray(0, out.size);
    const units = out.units.subarray(0, out.size);
    const flags = out.flags.subarray(0, out.size);
    // Tokens near a truncated end may differ from the document's: stop only well before it.
    const last = atEnd ? text.length : text.length - this.restartMargin;
    let pos = 0;
    for (let k = 0; k < ids.length && pos <= last; k++) {
      if (pos >= stopAt && flags[k] & PIECE_START && !(k > 0 && flags[k - 1] & ENDS_MID_CHAR) && this.isRestartPoint(text, pos) && stops.canStop(pos)) {
        return { ids: ids.slice(0, k), units: units.slice(0, k), flags: flags.slice(0, k), stop: pos };
      }
      pos += units[k];
    }
    return atEnd ? { ids: ids.slice(), units: units.slice(), flags: flags.slice(), stop: text.length } : undefined;
  }

  encodeAll(text: string, sink: PieceSink): void {
    this.run(text, undefined, sink);
  }

  /** Encodes a whole text: splits off added tokens, normalizes, and encodes each stretch between them. */
  private run(text: string, options: EncodeOptions | undefined, sink: PieceSink): void {
    const added = options?.parseSpecialTokens ? this.allAdded : this.alwaysAdded;
    let at = 0;
    if (added) {
      added.lastIndex = 0;
      for (let m = added.exec(text); m; m = added.exec(text)) {
        if (m.index > at) this.encodeNormalized(text, at, m.index, sink);
        sink(this.addedIds.get(m[0]) as number, m[0].length, PIECE_START);
        at = m.index + m[0].length;
      }
    }
    if (at < text.length) this.encodeNormalized(text, at, text.length, sink);
  }

  private encodeNormalized(text: string, start: number, end: number, sink: PieceSink): void {
    const form = this.spec.normalization;
    if (!form) return this.encodeSpan(text, start, end, sink);
    const segment = start === 0 && end === text.length ? text : text.slice(start, end);
    const normalized = normalizeWithMap(segment, form);
    if (normalized.replacements.length === 0) return this.encodeSpan(segment, 0, segment.length, sink);
    // Encode the normalized text, then give each token the original units it completes.
    this.encodeSpan(normalized.text, 0, normalized.text.length, remapUnits(normalized, sink));
  }

  /** The hot loop: scans the pieces of `text[start..end)` and emits their tokens. */
  private encodeSpan(text: string, start: number, end: number, sink: PieceSink): void {
    const { vocab, scanner, trustWholePieces } = this.spec;
    const cache = this.cache;
    let i = start;
    while (i < end) {
      const e = scanner(text, i, end);
      // Check that the piece is ASCII and hash it in one pass: most pieces are, and are one token.
      let ascii = true;
      let hash = HASH_START;
      for (let k = i; k < e; k++) {
        const c = text.charCodeAt(k);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        hash = hashStep(hash, c);
      }
      let n = 0;
      let id: number;
      if (ascii) {
        id = vocab.lookupAscii(text, i, e, hash);
      } else {
        if (this.scratch.length < 3 * (e - i)) this.scratch = new Uint8Array(6 * (e - i));
        n = encodeUtf8Into(text, i, e, this.scratch);
        hash = hashBytes(this.scratch, 0, n);
        id = vocab.lookup(this.scratch, 0, n, hash);
      }
      if (id >= 0 && (trustWholePieces || this.rebuildsItself(id))) {
        sink(id, e - i, PIECE_START);
      } else {
        const hit = ascii ? cache.findAscii(text, i, e, hash) : cache.findBytes(this.scratch, n, hash);
        if (hit >= 0) {
          const values = cache.values;
          for (let v = cache.valueStart(hit), last = v + 2 * cache.valueCount(hit); v < last; v += 2) sink(values[v], values[v + 1] & 0xffff, values[v + 1] >>> 16);
        } else {
          if (ascii) {
            if (this.scratch.length < e - i) this.scratch = new Uint8Array(2 * (e - i));
            n = encodeUtf8Into(text, i, e, this.scratch);
          }
          this.mergeInto(text, i, e, n, hash, sink);
        }
      }
      i = e;
    }
  }

  /** Merges the piece `text[i..e)`, whose `n` bytes are in the scratch buffer, emits and caches its tokens. */
  private mergeInto(text: string, i: number, e: number, n: number, hash: number, sink: PieceSink): void {
    const m = this.merged;
    m.size = 0;
    mergePiece(this.spec.rules, this.spec.byteIds, this.scratch, 0, n, m);
    if (this.packed.length < m.size) this.packed = new Int32Array(2 * m.size);
    let ci = i;
    let carried = 0; // bytes of the character at ci already in earlier tokens
    for (let t = 0; t < m.size; t++) {
      let units = 0;
      let rest = m.lengths[t];
      if (n === e - i) {
        units = rest;
      } else {
        while (rest > 0) {
          const left = utf8WidthAt(text, ci, e) - carried;
          if (rest >= left) {
            rest -= left;
            carried = 0;
            const u = unitsAt(text, ci, e);
            ci += u;
            units += u;
          } else {
            carried += rest;
            rest = 0;
          }
        }
      }
      const flags = (t === 0 ? PIECE_START : 0) | (carried > 0 ? ENDS_MID_CHAR : 0);
      sink(m.ids[t], units, flags);
      this.packed[t] = units | (flags << 16);
    }
    this.cache.add(this.scratch, n, hash, m.ids, this.packed, m.size);
  }

  private rebuildsItself(id: number): boolean {
    let verdict = this.rebuilds[id];
    if (verdict === 0) {
      const { vocab } = this.spec;
      const bytes = vocab.bytes.subarray(vocab.offsets[id], vocab.offsets[id + 1]);
      const m = new MergeBuffer();
      mergePiece(this.spec.rules, this.spec.byteIds, bytes, 0, bytes.length, m);
      verdict = m.size === 1 && m.ids[0] === id ? 1 : 2;
      this.rebuilds[id] = verdict;
    }
    return verdict === 1;
  }
}

/** Rust's White_Space for BMP code units (what the scanners treat as `\s`). */
function isWhitespaceUnit(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function alternation(tokens: AddedToken[]): RegExp | undefined {
  if (tokens.length === 0) return undefined;
  // Longest first, so that the leftmost match is also the longest, as Hugging Face matches them.
  const sorted = [...tokens].sort((a, b) => b.content.length - a.content.length);
  return new RegExp(sorted.map((t) => t.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gu');
}

/**
 * Moves a token stream from normalized to original units: a replaced run's original units go to the
 * token that completes it, and tokens that end inside it are marked as ending mid-character.
 */
function remapUnits({ replacements }: NormalizedText, out: PieceSink): PieceSink {
  let normPos = 0;
  let next = 0;
  return (id, units, flags) => {
    const end = normPos + units;
    let pos = normPos;
    let origUnits = 0;
    normPos = end;
    while (next < replacements.length && replacements[next].normStart < end) {
      const r = replacements[next];
      if (r.normStart > pos) origUnits += r.normStart - pos;
      if (r.normEnd > end) {
        flags |= ENDS_MID_CHAR;
        pos = end;
        break;
      }
      origUnits += r.origEnd - r.origStart;
      pos = r.normEnd;
      next++;
    }
    if (pos < end) origUnits += end - pos;
    out(id, origUnits, flags);
  };
}

/** Turns per-token units and flags into UTF-16 ranges, widening partial tokens to whole characters. */
export function spansFromUnits(text: string, ids: Uint32Array, units: ArrayLike<number>, flags: ArrayLike<number>): TokenSpans {
  const n = ids.length;
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  const partial = new Uint8Array(n);
  let pos = 0;
  let startedMid = false;
  for (let t = 0; t < n; t++) {
    const mid = (flags[t] & ENDS_MID_CHAR) !== 0;
    starts[t] = pos;
    pos += units[t];
    ends[t] = mid ? pos + charUnitsFrom(text, pos) : pos;
    partial[t] = mid || startedMid ? 1 : 0;
    startedMid = mid;
  }
  return { ids, starts, ends, partial };
}

/** Units of the character (or of the normalized run, approximated by its first character) at `pos`. */
function charUnitsFrom(text: string, pos: number): number {
  return pos < text.length ? unitsAt(text, pos, text.length) : 0;
}

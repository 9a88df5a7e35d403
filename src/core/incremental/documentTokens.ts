/**
 * A document's tokens, kept up to date edit by edit. The text and its tokens live in blocks of about
 * 8k characters, so an edit re-encodes only the pre-tokenizer pieces it can affect (from a restart point
 * before it to the first piece boundary after it that lines up with an old one) and rewrites one or two
 * blocks, never the whole document. Each token costs 8 bytes: its id and its units with two flags.
 */
import { surrogatePairs } from '../text/characters';
import { unitsAt } from '../text/utf8';
import { ENDS_MID_CHAR, PIECE_START, type PieceEncoder, type StopRule, type TokenSpans, type Tokenizer } from '../tokenizers/types';

const UNITS_MASK = (1 << 28) - 1;
const FLAG_SHIFT = 28;
const BLOCK_UNITS = 8192;

interface Block {
  text: string;
  ids: Uint32Array;
  /** units | flags << 28 per token. */
  meta: Uint32Array;
  /** Room this block owns to grow into (`ids` and `meta` are their prefixes), so that typing allocates nothing. */
  idStore?: Uint32Array;
  metaStore?: Uint32Array;
}

/** Spare token slots given to a block that an edit rewrites. */
const SLACK = 512;

/** Growable id and meta arrays. */
class TokenArrays {
  ids = new Uint32Array(256);
  meta = new Uint32Array(256);
  size = 0;
  push(id: number, units: number, flags: number): void {
    if (this.size === this.ids.length) {
      const ids = new Uint32Array(this.size * 2);
      ids.set(this.ids);
      this.ids = ids;
      const meta = new Uint32Array(this.size * 2);
      meta.set(this.meta);
      this.meta = meta;
    }
    this.ids[this.size] = id;
    this.meta[this.size++] = units | (flags << FLAG_SHIFT);
  }
}

const unitsOf = (meta: number) => meta & UNITS_MASK;
const flagsOf = (meta: number) => meta >>> FLAG_SHIFT;

export class DocumentTokens {
  private blocks: Block[] = [];
  private total = 0;
  private length = 0;
  /** Surrogate pairs in the text, so that its characters are known without reading it. */
  private pairs = 0;
  private readonly encoder: PieceEncoder | undefined;

  constructor(private readonly tokenizer: Tokenizer, text: string) {
    this.encoder = tokenizer.pieces;
    this.reset(text);
  }

  /** Number of tokens: O(1). */
  get count(): number {
    return this.total;
  }

  /** The document's characters (Unicode code points, as `countCodePoints` counts them): O(1). */
  get characters(): number {
    return this.length - this.pairs;
  }

  /** The document's length in UTF-16 units. */
  get textLength(): number {
    return this.length;
  }

  /** All ids, in order. */
  ids(): Uint32Array {
    const out = new Uint32Array(this.total);
    let at = 0;
    for (const b of this.blocks) {
      out.set(b.ids, at);
      at += b.ids.length;
    }
    return out;
  }

  /** The document's text (joined from its blocks). */
  text(): string {
    return this.blocks.map((b) => b.text).join('');
  }

  /** Tokens overlapping `[start, end)` (UTF-16), with their ranges; `first` is the index of the first. */
  tokensInRange(start: number, end: number): TokenSpans & { first: number } {
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const partial: number[] = [];
    let first = -1;
    let pos = 0;
    let index = 0;
    let startedMid = false;
    for (let bi = 0; bi < this.blocks.length && pos <= end; bi++) {
      const block = this.blocks[bi];
      if (pos + block.text.length < start) {
        pos += block.text.length;
        index += block.ids.length;
        startedMid = false;
        continue;
      }
      const local = block.text;
      let lpos = 0;
      for (let t = 0; t < block.ids.length; t++, index++) {
        const m = block.meta[t];
        const mid = (flagsOf(m) & ENDS_MID_CHAR) !== 0;
        const tokenStart = pos + lpos;
        lpos += unitsOf(m);
        const tokenEnd = mid && lpos < local.length ? pos + lpos + unitsAt(local, lpos, local.length) : pos + lpos;
        if (tokenEnd > start && tokenStart < end) {
          if (first < 0) first = index;
          ids.push(block.ids[t]);
          starts.push(tokenStart);
          ends.push(tokenEnd);
          partial.push(mid || startedMid ? 1 : 0);
        } else if (tokenStart >= end) {
          return pack(ids, starts, ends, partial, first);
        }
        startedMid = mid;
      }
      pos += local.length;
    }
    return pack(ids, starts, ends, partial, first);
  }

  /** Replaces `removedLength` units at `offset` with `insertedText` (UTF-16 offsets), re-encoding only what it affects. */
  applyChange(offset: number, removedLength: number, insertedText: string): void {
    if (!(offset >= 0 && removedLength >= 0 && offset + removedLength <= this.length)) {
      throw new RangeError(`edit [${offset}, ${offset + removedLength}) is outside the document (length ${this.length})`);
    }
    if (removedLength === 0 && insertedText.length === 0) return;
    // Pairs change only inside the edit and across its two edges: count them there before and after.
    const from = Math.max(0, offset - 1);
    const outside = this.pairs - surrogatePairs(this.slice(from, Math.min(this.length, offset + removedLength + 1)));
    this.edit(offset, removedLength, insertedText);
    this.pairs = outside + surrogatePairs(this.slice(from, Math.min(this.length, offset + insertedText.length + 1)));
  }

  private edit(offset: number, removedLength: number, insertedText: string): void {
    if (!this.encoder) {
      const text = this.text();
      this.reset(text.slice(0, offset) + insertedText + text.slice(offset + removedLength));
      return;
    }
    const encoder = this.encoder;
    const delta = insertedText.length - removedLength;
    const editEnd = offset + removedLength; // in old coordinates
    const restart = this.restartBefore(offset - encoder.restartMargin);
    const before = this.slice(restart.pos, offset);
    // Old piece boundaries after the edit, as candidates to stop at (found lazily as the window grows).
    const boundaries = new BoundaryCursor(this.blocks, editEnd, restart.pos - delta);
    for (let extra = 256; ; extra *= 4) {
      const oldWindowEnd = Math.min(this.length, editEnd + extra);
      const atEnd = oldWindowEnd === this.length;
      const window = before + insertedText + this.slice(editEnd, oldWindowEnd);
      const stopAt = before.length + insertedText.length;
      const result = encoder.encodeWindow(window, atEnd, stopAt, boundaries);
      if (!result) continue;
      const oldStop = restart.pos + result.stop - delta; // the stop is after the edit
      const lastIndex = oldStop === this.length ? this.total : boundaries.indexAt(oldStop);
      this.splice(restart.index, restart.pos, lastIndex, oldStop, window.slice(0, result.stop), result.ids, result.units, result.flags);
      return;
    }
  }

  private reset(text: string): void {
    this.blocks = [];
    this.total = 0;
    this.length = text.length;
    this.pairs = surrogatePairs(text);
    const tokens = new TokenArrays();
    if (this.encoder) this.encoder.encodeAll(text, (id, units, flags) => tokens.push(id, units, flags));
    else {
      // Without pieces, every edit re-encodes the whole document (tokenizers our engine does not run).
      const { ids, starts, ends } = this.tokenizer.tokenize(text);
      for (let t = 0; t < ids.length; t++) {
        const next = t + 1 < ids.length ? starts[t + 1] : text.length;
        tokens.push(ids[t], next - starts[t], (t === 0 ? PIECE_START : 0) | (ends[t] > next ? ENDS_MID_CHAR : 0));
      }
    }
    this.blocks = cutBlocks(text, tokens.ids, tokens.meta, tokens.size, true);
    this.total = tokens.size;
  }

  /** The last restart point at or before `limit`: its position and token index (0 at worst). */
  private restartBefore(limit: number): { pos: number; index: number } {
    if (limit <= 0) return { pos: 0, index: 0 };
    let pos = 0;
    let index = 0;
    let bi = 0;
    // Find the block holding `limit`, then walk back through token boundaries.
    while (bi < this.blocks.length - 1 && pos + this.blocks[bi].text.length <= limit) {
      pos += this.blocks[bi].text.length;
      index += this.blocks[bi].ids.length;
      bi++;
    }
    for (; bi >= 0; bi--) {
      // Walk back through the block's token boundaries from its end.
      const block = this.blocks[bi];
      let at = pos + block.text.length;
      for (let t = block.ids.length - 1; t >= 0; t--) {
        at -= unitsOf(block.meta[t]);
        if (at > limit) continue;
        const clean = flagsOf(block.meta[t]) & PIECE_START && !(t > 0 && flagsOf(block.meta[t - 1]) & ENDS_MID_CHAR);
        if (clean && this.isRestartPoint(block, pos, at)) return { pos: at, index: index + t };
      }
      if (bi > 0) {
        pos -= this.blocks[bi - 1].text.length;
        index -= this.blocks[bi - 1].ids.length;
      }
    }
    return { pos: 0, index: 0 };
  }

  /** Whether `at`, a token boundary in `block` (which starts at `blockStart`), is a restart point. */
  private isRestartPoint(block: Block, blockStart: number, at: number): boolean {
    if (at === 0) return true;
    const local = at - blockStart;
    const around = local > 0 ? block.text.slice(local - 1, local + 1) : this.slice(at - 1, at + 1);
    return (this.encoder as PieceEncoder).isRestartPoint(around, 1);
  }

  /** `text[start..end)` of the current document. */
  slice(start: number, end: number): string {
    let out = '';
    let pos = 0;
    for (const b of this.blocks) {
      const next = pos + b.text.length;
      if (next > start && pos < end) out += b.text.slice(Math.max(0, start - pos), Math.min(b.text.length, end - pos));
      if (next >= end) break;
      pos = next;
    }
    return out;
  }

  /** Replaces tokens [firstIndex, lastIndex), which span text [start, end), with new text and tokens. */
  private splice(firstIndex: number, start: number, lastIndex: number, end: number, text: string, ids: Uint32Array, units: Uint32Array, flags: Uint8Array): void {
    const blocks = this.blocks;
    let bi = 0;
    let index = 0;
    let pos = 0;
    while (bi < blocks.length - 1 && index + blocks[bi].ids.length <= firstIndex) {
      index += blocks[bi].ids.length;
      pos += blocks[bi].text.length;
      bi++;
    }
    let bj = bi;
    let jIndex = index;
    let jPos = pos;
    while (bj < blocks.length - 1 && jIndex + blocks[bj].ids.length < lastIndex) {
      jIndex += blocks[bj].ids.length;
      jPos += blocks[bj].text.length;
      bj++;
    }
    // Rebuild blocks bi..bj from their kept head, the new tokens and their kept tail.
    const first = blocks[bi];
    const last = blocks[bj];
    const head = firstIndex - index;
    const tailFrom = lastIndex - jIndex;
    const tail = last.ids.length - tailFrom;
    const size = head + ids.length + tail;
    const merged = first.text.slice(0, start - pos) + text + last.text.slice(end - jPos);
    const inPlace = bi === bj && first.idStore !== undefined && size <= first.idStore.length && merged.length <= 2 * BLOCK_UNITS;
    const idStore = inPlace ? (first.idStore as Uint32Array) : new Uint32Array(size + SLACK);
    const metaStore = inPlace ? (first.metaStore as Uint32Array) : new Uint32Array(size + SLACK);
    if (inPlace) {
      idStore.copyWithin(head + ids.length, tailFrom, tailFrom + tail);
      metaStore.copyWithin(head + ids.length, tailFrom, tailFrom + tail);
    } else {
      idStore.set(first.ids.subarray(0, head));
      metaStore.set(first.meta.subarray(0, head));
      idStore.set(last.ids.subarray(tailFrom), head + ids.length);
      metaStore.set(last.meta.subarray(tailFrom), head + ids.length);
    }
    for (let t = 0; t < ids.length; t++) {
      idStore[head + t] = ids[t];
      metaStore[head + t] = units[t] | (flags[t] << FLAG_SHIFT);
    }
    let removedTokens = 0;
    let removedUnits = 0;
    for (let b = bi; b <= bj; b++) {
      removedTokens += blocks[b].ids.length;
      removedUnits += blocks[b].text.length;
    }
    const rebuilt: Block[] =
      merged.length <= 2 * BLOCK_UNITS
        ? [{ text: merged, ids: idStore.subarray(0, size), meta: metaStore.subarray(0, size), idStore, metaStore }]
        : cutBlocks(merged, idStore, metaStore, size, false);
    blocks.splice(bi, bj - bi + 1, ...rebuilt);
    this.total += size - removedTokens;
    this.length += merged.length - removedUnits;
  }
}

/**
 * Finds old piece boundaries after the edit lazily; a window may stop where its boundary (shifted by
 * `shift` into old coordinates) is one of them.
 */
class BoundaryCursor implements StopRule {
  private readonly clean = new Map<number, number>();
  private readonly walk: Generator<{ pos: number; index: number; clean: boolean }>;
  private reached = -1;
  private done = false;

  constructor(blocks: Block[], from: number, private readonly shift: number) {
    this.walk = walkBoundaries(blocks, from);
  }

  canStop(windowBoundary: number): boolean {
    return this.has(windowBoundary + this.shift);
  }

  private advanceTo(pos: number): void {
    while (!this.done && this.reached < pos) {
      const next = this.walk.next();
      if (next.done) {
        this.done = true;
        return;
      }
      this.reached = next.value.pos;
      if (next.value.clean) this.clean.set(next.value.pos, next.value.index);
    }
  }

  has(pos: number): boolean {
    this.advanceTo(pos);
    return this.clean.has(pos);
  }

  indexAt(pos: number): number {
    this.advanceTo(pos);
    const index = this.clean.get(pos);
    if (index === undefined) throw new Error(`no token boundary at ${pos}`);
    return index;
  }
}

function* walkBoundaries(blocks: Block[], from: number): Generator<{ pos: number; index: number; clean: boolean }> {
  let pos = 0;
  let index = 0;
  let prevMid = false;
  for (const block of blocks) {
    if (pos + block.text.length < from) {
      pos += block.text.length;
      index += block.ids.length;
      prevMid = block.ids.length > 0 && (flagsOf(block.meta[block.ids.length - 1]) & ENDS_MID_CHAR) !== 0;
      continue;
    }
    for (let t = 0; t < block.ids.length; t++, index++) {
      const m = block.meta[t];
      if (pos >= from) yield { pos, index, clean: (flagsOf(m) & PIECE_START) !== 0 && !prevMid };
      pos += unitsOf(m);
      prevMid = (flagsOf(m) & ENDS_MID_CHAR) !== 0;
    }
  }
}

/**
 * Splits text and tokens into blocks of about BLOCK_UNITS, cutting only between whole characters. With
 * `copy`, each block gets arrays of its own (dropping a growable buffer's slack); else views of `ids`.
 */
function cutBlocks(text: string, ids: Uint32Array, meta: Uint32Array, size: number, copy: boolean): Block[] {
  const part = (a: Uint32Array, from: number, to: number) => (copy ? a.slice(from, to) : a.subarray(from, to));
  const blocks: Block[] = [];
  let first = 0;
  let textStart = 0;
  let pos = 0;
  for (let t = 0; t < size; t++) {
    pos += unitsOf(meta[t]);
    const canCut = !(flagsOf(meta[t]) & ENDS_MID_CHAR);
    if (canCut && pos - textStart >= BLOCK_UNITS && t + 1 < size) {
      blocks.push({ text: text.slice(textStart, pos), ids: part(ids, first, t + 1), meta: part(meta, first, t + 1) });
      first = t + 1;
      textStart = pos;
    }
  }
  blocks.push({ text: text.slice(textStart), ids: part(ids, first, size), meta: part(meta, first, size) });
  return blocks;
}

function pack(ids: number[], starts: number[], ends: number[], partial: number[], first: number): TokenSpans & { first: number } {
  return { ids: Uint32Array.from(ids), starts: Uint32Array.from(starts), ends: Uint32Array.from(ends), partial: Uint8Array.from(partial), first };
}

/**
 * Decoration ranges for the tokens of the visible part of a document, as flat offset pairs per class
 * (the VS Code glue turns them into `Range`s). Tokens alternate between colour classes by their global
 * index, so a token keeps its colour however the window moves. A character split across tokens gets
 * one "split" range over the whole character (adjacent split characters merge into one), and the
 * tokens' colour ranges leave it out.
 */
import { PairList } from './pairList';
import { normalizeRanges } from './ranges';
import type { TokenSource } from '../incremental/tokenSource';
import { markWhitespace, type WhitespaceLists } from './whitespace';

export const DEFAULT_MAX_DECORATIONS = 5000;
/**
 * Where the cap would leave visible text bare, each visible line is decorated up to this many UTF-16 units,
 * whatever the cap: more than a screen shows across (a long line beyond it needs horizontal scrolling).
 */
export const DEFAULT_MAX_LINE_CHARS = 2000;

export interface DecorationOptions {
  /** Colour classes the tokens alternate through (default 2; 3 tells neighbours apart better). */
  colors?: number;
  /** Also return whitespace markers (default false). */
  whitespace?: boolean;
  /** Most ranges per pass over all lists (default 5000); decorating stops at a whole token. */
  maxDecorations?: number;
  /**
   * The visible part of `ranges` (flat pairs). When the cap would leave some of it undecorated, the pass
   * is redone on it alone, with no cap but `maxLineChars` per line: the margin is dropped, and the ends of
   * very long lines, before any visible line is left bare.
   */
  visible?: ArrayLike<number>;
  /** Units decorated per visible line when the cap is set aside (default 2,000). */
  maxLineChars?: number;
}

/** What a pass left out when it reached its cap. */
export interface DecorationTruncation {
  /** Offset from which the ranges got no more decorations. */
  at: number;
  /** Tokens of the ranges left without decorations. */
  tokens: number;
}

/** Each list holds `[start, end)` pairs: `list[2k]`, `list[2k + 1]`. */
export interface TokenDecorations {
  /** Per colour class `c`, the tokens whose global index is `c` modulo the number of classes. */
  colors: Uint32Array[];
  /** Characters split across tokens. */
  split: Uint32Array;
  spaces: Uint32Array;
  tabs: Uint32Array;
  /** One range per line end; `\r\n` is one range of 2. */
  lineEnds: Uint32Array;
  /** Ranges returned, over all lists. */
  count: number;
  /** Tokens decorated. */
  tokens: number;
  truncated: DecorationTruncation | undefined;
  /** The cap would have cut into the visible ranges, so only they were decorated. */
  marginDropped: boolean;
  /** Visible lines decorated only up to `maxLineChars` (when the margin was dropped). */
  clippedLines: number;
}

/**
 * Decorations for the tokens overlapping `ranges` (flat `[start, end, …]` UTF-16 pairs, already
 * widened by the caller's margin, e.g. with `widenRanges`). Decorations are clipped to the ranges, and
 * each list is in document order.
 */
export function computeTokenDecorations(source: TokenSource, ranges: ArrayLike<number>, options: DecorationOptions = {}): TokenDecorations {
  const result = decorate(source, ranges, options);
  const visible = options.visible ? normalizeRanges(source, options.visible) : [];
  if (!result.truncated || visible.length === 0 || result.truncated.at >= visible[visible.length - 1]) return result;
  const lines = clipLines(source, visible, options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS);
  return { ...decorate(source, lines.ranges, { ...options, maxDecorations: Infinity }), marginDropped: true, clippedLines: lines.clipped };
}

/** `ranges` cut to their first `maxChars` units on each line (the line end kept with a line that fits). */
function clipLines(source: TokenSource, ranges: number[], maxChars: number): { ranges: number[]; clipped: number } {
  const out: number[] = [];
  let clipped = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    const text = source.slice(ranges[k], ranges[k + 1]);
    for (let start = 0; start < text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline + 1;
      if (end - start > maxChars) clipped++;
      out.push(ranges[k] + start, ranges[k] + Math.min(end, start + maxChars));
      start = end;
    }
  }
  // Touching lines merge back into one window; a cut in the middle of a character moves past it.
  return { ranges: normalizeRanges(source, out), clipped };
}

function decorate(source: TokenSource, ranges: ArrayLike<number>, options: DecorationOptions): TokenDecorations {
  const pass = new DecorationPass(source, options);
  const windows = normalizeRanges(source, ranges);
  for (let k = 0; k < windows.length; k += 2) {
    if (!pass.window(windows[k], windows[k + 1])) {
      pass.truncate(windows, k);
      break;
    }
  }
  return pass.result();
}

/** Units whose tokens are fetched at a time, so that a huge range (a minified line) stops early at the cap. */
const CHUNK = 16384;
const CR = 13;
const LF = 10;
const isHigh = (c: number) => c >= 0xd800 && c < 0xdc00;
const isLow = (c: number) => c >= 0xdc00 && c < 0xe000;

class DecorationPass {
  private readonly colors: PairList[] = [];
  private readonly split = new PairList(16);
  private readonly ws: WhitespaceLists = { spaces: new PairList(), tabs: new PairList(), lineEnds: new PairList() };
  private readonly whitespace: boolean;
  private readonly cap: number;
  private count = 0;
  private tokens = 0;
  /** The last token decorated (global index) and its end, to see whether the next one starts mid-character. */
  private lastIndex = -1;
  private lastEnd = 0;
  /** Text of the current chunk, from offset `base`. */
  private text = '';
  private base = 0;
  private stoppedAt = -1;
  private stoppedIndex = -1;
  private truncation: DecorationTruncation | undefined;
  /** List lengths (and the last split end) before the current token, to undo it at the cap. */
  private readonly undo = new Float64Array(7);

  constructor(private readonly source: TokenSource, options: DecorationOptions) {
    const classes = options.colors ?? 2;
    if (!Number.isInteger(classes) || classes < 1 || classes > 8) throw new RangeError(`colors must be 1 to 8, not ${classes}`);
    for (let c = 0; c < classes; c++) this.colors.push(new PairList());
    this.whitespace = options.whitespace ?? false;
    this.cap = options.maxDecorations ?? DEFAULT_MAX_DECORATIONS;
  }

  /** Decorates the tokens of `[from, to)`; false when the cap stopped it. */
  window(from: number, to: number): boolean {
    const length = this.source.textLength;
    // A token across the gap between two windows is decorated in each (clipped), counted once.
    let done = -1;
    for (let a = from; a < to; ) {
      const b = Math.min(to, a + CHUNK);
      const { ids, starts, ends, partial, first } = this.source.tokensInRange(a, b);
      const n = ids.length;
      if (n === 0) break;
      this.base = Math.max(0, Math.max(from, starts[0]) - 2);
      this.text = this.source.slice(this.base, Math.min(length, Math.min(to, ends[n - 1]) + 2));
      for (let t = 0; t < n; t++) {
        const index = first + t;
        if (index <= done) continue;
        let startsMid = false;
        let endsMid = false;
        if (partial[t]) {
          const prevEnd = t > 0 ? ends[t - 1] : this.lastIndex === index - 1 ? this.lastEnd : -1;
          startsMid = prevEnd >= 0 ? prevEnd > starts[t] : this.hasToken(starts[t], starts[t] + 1, index - 1);
          endsMid = t + 1 < n ? ends[t] > starts[t + 1] : ends[t] < length && this.hasToken(ends[t] - 1, ends[t], index + 1);
        }
        if (!this.token(index, starts[t], ends[t], startsMid, endsMid, from, to)) {
          this.stoppedAt = Math.max(from, starts[t]);
          this.stoppedIndex = index;
          return false;
        }
        if (index > this.lastIndex) this.tokens++;
        done = this.lastIndex = index;
        this.lastEnd = ends[t];
      }
      // Overlap by one unit: a token that only completes the last character still comes next.
      a = Math.max(b, ends[n - 1] - 1);
    }
    return true;
  }

  /** Adds one token's ranges, clipped to `[from, to)`; undoes them and returns false past the cap. */
  private token(index: number, start: number, end: number, startsMid: boolean, endsMid: boolean, from: number, to: number): boolean {
    const color = this.colors[index % this.colors.length];
    const undo = this.undo;
    undo[0] = color.length;
    undo[1] = this.split.length;
    undo[2] = this.split.lastEnd() ?? 0;
    undo[3] = this.ws.spaces.length;
    undo[4] = this.ws.tabs.length;
    undo[5] = this.ws.lineEnds.length;
    undo[6] = this.count;
    let wholeFrom = start;
    let wholeTo = end;
    // A split character outside the window is clipped away whole (window edges are character boundaries).
    if (startsMid && start >= from) {
      wholeFrom = start + this.unitsAt(start);
      this.addSplit(start, wholeFrom);
    }
    if (endsMid && end <= to) {
      wholeTo = end - this.unitsBefore(end);
      this.addSplit(wholeTo, end);
    }
    wholeFrom = Math.max(wholeFrom, from);
    wholeTo = Math.min(wholeTo, to);
    // A `\r\n` split between tokens goes whole to the token holding the `\r`.
    if (wholeFrom > 0 && this.code(wholeFrom - 1) === CR && this.code(wholeFrom) === LF) wholeFrom++;
    if (wholeTo > 0 && this.code(wholeTo - 1) === CR && this.code(wholeTo) === LF) wholeTo++;
    if (wholeFrom < wholeTo) {
      color.push(wholeFrom, wholeTo);
      this.count++;
      if (this.whitespace) this.count += markWhitespace(this.text, this.base, wholeFrom, wholeTo, this.ws);
    }
    if (this.count <= this.cap) return true;
    color.length = undo[0];
    this.split.length = undo[1];
    if (undo[1] > 0) this.split.setLastEnd(undo[2]);
    this.ws.spaces.length = undo[3];
    this.ws.tabs.length = undo[4];
    this.ws.lineEnds.length = undo[5];
    this.count = undo[6];
    return false;
  }

  /** Adds a split character, merging it with the previous one when they touch. */
  private addSplit(start: number, end: number): void {
    const last = this.split.lastEnd();
    if (last !== undefined && start <= last) {
      if (end > last) this.split.setLastEnd(end);
    } else {
      this.split.push(start, end);
      this.count++;
    }
  }

  private code(at: number): number {
    return this.text.charCodeAt(at - this.base);
  }

  private unitsAt(at: number): number {
    return isHigh(this.code(at)) && isLow(this.code(at + 1)) ? 2 : 1;
  }

  private unitsBefore(at: number): number {
    return isLow(this.code(at - 1)) && isHigh(this.code(at - 2)) ? 2 : 1;
  }

  /** Whether the token with global index `index` overlaps `[start, end)` (a neighbour outside the chunk). */
  private hasToken(start: number, end: number, index: number): boolean {
    const r = this.source.tokensInRange(start, end);
    return r.ids.length > 0 && index >= r.first && index < r.first + r.ids.length;
  }

  /** Records what the cap left out: the rest of window `k` of `windows`, and the windows after it. */
  truncate(windows: number[], k: number): void {
    let tokens = 0;
    let next = this.stoppedIndex;
    for (let w = k; w < windows.length; w += 2) {
      const tail = this.source.tokensInRange(windows[w + 1] - 1, windows[w + 1]);
      const last = tail.first + tail.ids.length - 1;
      if (w > k) next = Math.max(next, this.source.tokensInRange(windows[w], windows[w] + 1).first);
      if (last >= next) tokens += last - next + 1;
      next = last + 1;
    }
    this.truncation = { at: this.stoppedAt, tokens };
  }

  result(): TokenDecorations {
    return {
      colors: this.colors.map((c) => c.toArray()),
      split: this.split.toArray(),
      spaces: this.ws.spaces.toArray(),
      tabs: this.ws.tabs.toArray(),
      lineEnds: this.ws.lineEnds.toArray(),
      count: this.count,
      tokens: this.tokens,
      truncated: this.truncation,
      marginDropped: false,
      clippedLines: 0,
    };
  }
}

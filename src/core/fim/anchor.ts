/**
 * The anchor before a cursor: the latest position that is a token boundary for every continuation of the
 * text, with the tokens before it (the head) unchanged. Everything after it (the tail) is what the exact
 * and heal strategies re-derive from bytes.
 */
import { PIECE_START, type Tokenizer } from '../tokenizers/types';
import { addsLeadingSpace, encodeContinuing } from './encodeText';

export interface Anchor {
  /** UTF-16 offset of the anchor in the text. */
  offset: number;
  /** The text's tokens before the anchor. */
  head: Uint32Array;
}

/**
 * Continuations that expose the known pre-tokenizer instabilities (whitespace lookahead, newline absorption,
 * contractions, digit groups, punctuation runs, multi-byte characters): a boundary that survives all of
 * them is taken as stable.
 */
export const ANCHOR_PROBES: readonly string[] = [
  'a', 'A', '_', '1', ' ', '\t', '\n', "'", '(', 'é', 'ab', ' a', '  ', ' \t', '\t ', '\n\n', '\r\n', '11', '111', '1111',
  "'s", "'ll", "'t", 'll', 's', '.', ';', ')', '-', '=', '😀', '中', ' 1', ' (', '\u00a0', '\u2581', '<|',
  // Combining marks: under NFC a continuation can recompose or reorder the characters before it.
  '\u0301', '\u0323', '\u1161',
];

/** Texts longer than this are probed from a line start near their end, not from their start. */
const WINDOW = 2048;

export interface AnchorOptions {
  probes?: readonly string[];
}

const sameIds = (a: ArrayLike<number>, aFrom: number, b: ArrayLike<number>, bFrom: number, n: number) => {
  if (a.length - aFrom < n || b.length - bFrom < n) return false;
  for (let i = 0; i < n; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
};

const isSpace = (c: string) => c === ' ';
const kindOf = (piece: string): 'space' | 'digit' | 'quote' | 'other' =>
  /^\s+$/u.test(piece) ? 'space' : /^\p{N}+$/u.test(piece) ? 'digit' : piece.includes("'") ? 'quote' : 'other';

/** Starts of the pre-tokenizer pieces of `text`, from the tokenizer's own piece encoder. */
function pieceStarts(tokenizer: Tokenizer, text: string): Set<number> | undefined {
  const pieces = tokenizer.pieces;
  if (!pieces) return undefined;
  const starts = new Set<number>();
  let at = 0;
  pieces.encodeAll(text, (_id, units, flags) => {
    if (flags & PIECE_START) starts.add(at);
    at += units;
  });
  return starts;
}

export function findAnchor(tokenizer: Tokenizer, text: string, options: AnchorOptions = {}): Anchor {
  const probes = options.probes ?? ANCHOR_PROBES;
  if (text.length === 0) return { offset: 0, head: new Uint32Array(0) };
  const spans = tokenizer.tokenize(text);
  const n = spans.ids.length;
  // Token k starts a clean boundary unless it continues a character the previous token began.
  const boundary = (k: number) => k === 0 || spans.starts[k] >= spans.ends[k - 1];
  const dummy = addsLeadingSpace(tokenizer);

  // The window: from a line start well before the end whose tokens match the whole text's (regex BPE only).
  let r = 0;
  let kr = 0;
  if (!dummy && tokenizer.pieces && text.length > WINDOW) {
    for (let nl = text.lastIndexOf('\n', text.length - WINDOW / 2); nl > 0 && r === 0; nl = text.lastIndexOf('\n', nl - 1)) {
      const at = nl + 1;
      if (/\s/u.test(text[at] ?? ' ')) continue;
      const k = firstAtOrAfter(spans.starts, at);
      if (k < n && spans.starts[k] === at && boundary(k) && sameIds(tokenizer.encode(text.slice(at)), 0, spans.ids, k, n - k)) {
        r = at;
        kr = k;
      }
      if (text.length - nl > 4 * WINDOW) break;
    }
  }
  const window = text.slice(r);
  const starts = pieceStarts(tokenizer, window);
  // Pieces are only informative where the pre-tokenizer splits (not for SentencePiece-style vocabularies).
  const usePieces = starts !== undefined && starts.size > 1;
  const probeIds = probes.map((p) => tokenizer.encode(window + p));

  for (let k = n - 1; k > kr; k--) {
    const b = spans.starts[k];
    if (!boundary(k) || b < r) continue;
    if (usePieces) {
      if (!starts.has(b - r)) continue;
      // §2.3(a): two whitespace pieces, two digit pieces or a contraction on either side move with what follows.
      const prev = previousPieceStart(starts, b - r);
      const end = nextPieceStart(starts, b - r, window.length);
      const before = kindOf(window.slice(prev, b - r));
      const after = kindOf(window.slice(b - r, end));
      if ((before === after && before !== 'other') || before === 'quote' || after === 'quote') continue;
    } else if (!(isSpace(text[b]) && !isSpace(text[b - 1]))) {
      // SentencePiece: ▁ only starts a piece, so the place before a space run after a non-space is a boundary.
      continue;
    }
    const len = k - kr;
    if (!probeIds.every((ids) => sameIds(ids, 0, spans.ids, kr, len))) continue;
    // The tail must re-encode alone from the anchor, as the exact method encodes it (§2.3 c).
    const tail = dummy ? encodeContinuing(tokenizer, text.slice(b)) : tokenizer.encode(text.slice(b));
    if (tail.length !== n - k || !sameIds(tail, 0, spans.ids, k, n - k)) continue;
    return { offset: b, head: spans.ids.slice(0, k) };
  }
  return { offset: r, head: spans.ids.slice(0, kr) };
}

function firstAtOrAfter(starts: Uint32Array, at: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function previousPieceStart(starts: Set<number>, at: number): number {
  for (let p = at - 1; p > 0; p--) if (starts.has(p)) return p;
  return 0;
}

function nextPieceStart(starts: Set<number>, at: number, end: number): number {
  for (let p = at + 1; p < end; p++) if (starts.has(p)) return p;
  return end;
}

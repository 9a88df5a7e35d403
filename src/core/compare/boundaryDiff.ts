/** Where two tokenizers put token boundaries differently in the same text. */
import { isCharBoundary } from '../selection/chars';
import type { Tokenizer } from '../tokenizers/types';

export interface BoundarySpan {
  /** UTF-16 offsets into the compared text. */
  start: number;
  end: number;
  id: number;
  /** True when the token holds only part of a character (its range is the whole character). */
  partial: boolean;
}

export interface BoundaryDiff {
  text: string;
  a: { tokenizer: string; spans: BoundarySpan[] };
  b: { tokenizer: string; spans: BoundarySpan[] };
  /** Token end offsets found under one tokenizer and not the other. */
  onlyA: number[];
  onlyB: number[];
  /** True when the text was longer than `BOUNDARY_DIFF_LIMIT` and only its start was diffed. */
  truncated?: boolean;
}

/** Longer texts are diffed on their first this many UTF-16 units: the diff is for reading, span by span. */
export const BOUNDARY_DIFF_LIMIT = 20_000;

/**
 * Both tokenizations of `text` (or of its first `BOUNDARY_DIFF_LIMIT` units, cut between characters)
 * and the token end offsets only one of them has. Partial tokens keep their whole character's range,
 * so the tokens of a split character share one end.
 */
export function boundaryDiff(text: string, a: Tokenizer, b: Tokenizer): BoundaryDiff {
  let cut = text.length;
  if (cut > BOUNDARY_DIFF_LIMIT) {
    cut = BOUNDARY_DIFF_LIMIT;
    while (!isCharBoundary(text, cut)) cut--;
  }
  const diffed = cut < text.length ? text.slice(0, cut) : text;
  const spansA = boundarySpans(diffed, a);
  const spansB = boundarySpans(diffed, b);
  const endsA = uniqueEnds(spansA);
  const endsB = uniqueEnds(spansB);
  const diff: BoundaryDiff = {
    text: diffed,
    a: { tokenizer: a.id, spans: spansA },
    b: { tokenizer: b.id, spans: spansB },
    onlyA: difference(endsA, endsB),
    onlyB: difference(endsB, endsA),
  };
  if (cut < text.length) diff.truncated = true;
  return diff;
}

function boundarySpans(text: string, tokenizer: Tokenizer): BoundarySpan[] {
  const { ids, starts, ends, partial } = tokenizer.tokenize(text);
  const spans: BoundarySpan[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) spans[i] = { start: starts[i], end: ends[i], id: ids[i], partial: partial[i] === 1 };
  return spans;
}

/** Token ends, ascending, each once. */
function uniqueEnds(spans: readonly BoundarySpan[]): Uint32Array {
  const ends = Uint32Array.from(spans, (s) => s.end).sort();
  let n = 0;
  for (let i = 0; i < ends.length; i++) if (n === 0 || ends[i] !== ends[n - 1]) ends[n++] = ends[i];
  return ends.subarray(0, n);
}

/** Values of sorted `x` missing from sorted `y`. */
function difference(x: Uint32Array, y: Uint32Array): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    while (j < y.length && y[j] < x[i]) j++;
    if (j >= y.length || y[j] !== x[i]) out.push(x[i]);
  }
  return out;
}

/**
 * The compared text under two tokenizers, one above the other: tokens on alternating backgrounds, and the
 * boundaries that only one of the two tokenizers has marked.
 */
import type { BoundaryDiff, BoundarySpan } from '../src/core/compare/compare';
import { countCodePoints } from '../src/core/text/characters';
import { el } from './dom';

/** Enough text to see how boundaries differ without slowing the page on a whole file. */
const MAX_CHARS = 6000;

export function boundaryView(diff: BoundaryDiff, nameOf: (id: string) => string): HTMLElement {
  const text = typeof diff.text === 'string' ? diff.text : '';
  const shown = Math.min(text.length, MAX_CHARS);
  // Counts here are of the part shown, which the captions say; the table above counts the whole text.
  const part = shown < text.length || diff.truncated ? `in the first ${countCodePoints(text.slice(0, shown)).toLocaleString('en-US')} characters` : '';
  return el(
    'div',
    { class: 'boundaries' },
    part ? el('p', { class: 'secondary', text: `Showing the tokens ${part} of the text; the table counts all of it.` }) : null,
    tokenLine(text, shown, diff.a?.spans, new Set(diff.onlyA ?? []), nameOf(diff.a?.tokenizer ?? ''), 'a', part),
    tokenLine(text, shown, diff.b?.spans, new Set(diff.onlyB ?? []), nameOf(diff.b?.tokenizer ?? ''), 'b', part),
  );
}

function tokenLine(text: string, shown: number, spans: BoundarySpan[] | undefined, only: Set<number>, name: string, side: 'a' | 'b', part: string): HTMLElement {
  const pre = el('pre', { class: `token-text side-${side}` });
  let at = 0;
  let n = 0;
  let lastRange = '';
  let onlyCount = 0;
  for (const s of Array.isArray(spans) ? spans : []) {
    if (!s || !(s.start >= at) || !(s.end > s.start)) continue; // partial tokens repeat their character's range: show it once
    if (s.start >= shown) break;
    const range = `${s.start}:${s.end}`;
    if (range === lastRange) continue;
    lastRange = range;
    if (s.start > at) pre.append(text.slice(at, s.start));
    const end = Math.min(s.end, shown);
    const mark = only.has(s.end);
    if (mark) onlyCount++;
    const span = el('span', { class: `tok ${n++ % 2 ? 'odd' : 'even'}${mark ? ' only' : ''}${s.partial ? ' partial' : ''}`, text: text.slice(s.start, end), title: `token ${s.id}` });
    pre.append(span);
    at = end;
  }
  if (at < shown) pre.append(text.slice(at, shown));
  return el(
    'figure',
    { class: 'token-line' },
    el('figcaption', {}, el('strong', { text: name }), el('span', { class: 'secondary', text: ` ${n.toLocaleString('en-US')} ${n === 1 ? 'token' : 'tokens'}${part ? ` ${part}` : ''}, ${onlyCount.toLocaleString('en-US')} ${onlyCount === 1 ? 'boundary' : 'boundaries'} only here` })),
    pre,
  );
}

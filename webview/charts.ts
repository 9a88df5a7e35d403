/**
 * Charts drawn with SVG and CSS classes (colours come from the theme's --vscode-charts-* variables in
 * panel.css). Each chart is an image with a one-sentence summary; the numbers are in the tables beside it.
 */
import { el, svg } from './dom';

export interface Segment {
  label: string;
  value: number;
  /** A class from panel.css that colours the segment (seg-system, seg-reserved…). */
  className: string;
}

let uid = 0;

/**
 * One bar across the whole width: segments in order, each as wide as its share of `total`. A line marks
 * `limit` (the context window) when the segments run past it.
 */
export function stackedBar(segments: readonly Segment[], total: number, summary: string, limit?: number): SVGSVGElement {
  const root = svg('svg', { class: 'stacked-bar', role: 'img', 'aria-label': summary, height: 28, width: '100%' });
  const hatch = hatchPattern(root);
  const scale = total > 0 ? 100 / total : 0;
  let x = 0;
  for (const s of segments) {
    const width = Math.max(0, s.value) * scale;
    if (width <= 0) continue;
    const rect = svg('rect', { x: `${x}%`, y: 0, width: `${width}%`, height: '100%', class: `segment ${s.className}` });
    if (s.className === 'seg-reserved') rect.setAttribute('fill', `url(#${hatch})`);
    rect.appendChild(svg('title')).textContent = s.label;
    root.appendChild(rect);
    x += width;
  }
  if (limit !== undefined && total > limit && total > 0) {
    const at = `${(limit * scale).toFixed(3)}%`;
    root.appendChild(svg('line', { x1: at, x2: at, y1: 0, y2: '100%', class: 'limit-line' }));
  }
  root.appendChild(svg('rect', { x: 0, y: 0, width: '100%', height: '100%', class: 'bar-frame' }));
  return root;
}

/** Diagonal stripes for the reserved output, in pixels so that they keep their shape at any width. */
function hatchPattern(root: SVGSVGElement): string {
  const id = `tw-hatch-${++uid}`;
  root.appendChild(
    svg(
      'defs',
      {},
      svg(
        'pattern',
        { id, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
        svg('rect', { width: 6, height: 6, class: 'hatch-ground' }),
        svg('rect', { width: 2, height: 6, class: 'hatch-stripe' }),
      ),
    ),
  );
  return id;
}

/** A legend entry's colour sample. */
export function swatch(className: string): SVGSVGElement {
  const root = svg('svg', { class: 'swatch', width: 12, height: 12, 'aria-hidden': 'true' });
  const rect = svg('rect', { width: 12, height: 12, class: `segment ${className}` });
  if (className === 'seg-reserved') rect.setAttribute('fill', `url(#${hatchPattern(root)})`);
  root.appendChild(rect);
  return root;
}

export interface BarRow {
  label: string;
  value: number;
  text: string;
  highlight?: boolean;
}

/** Horizontal bars, one per row, as wide as the row's share of the largest value. */
export function barList(rows: readonly BarRow[], summary: string): HTMLElement {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return el(
    'div',
    { class: 'bar-list', attrs: { role: 'img', 'aria-label': summary } },
    ...rows.map((r) => {
      const fill = el('div', { class: `bar-fill${r.highlight ? ' reference' : ''}` });
      fill.style.width = `${max > 0 ? Math.max(0, (r.value / max) * 100) : 0}%`;
      return el(
        'div',
        { class: 'bar-row', attrs: { 'aria-hidden': 'true' } },
        el('span', { class: 'bar-label', text: r.label }),
        el('div', { class: 'bar-track' }, fill),
        el('span', { class: 'bar-value num', text: r.text }),
      );
    }),
  );
}

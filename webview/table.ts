/**
 * A sortable table: plain <table> semantics (headers, captions and aria-sort are what screen readers know
 * best), a button in every header so that sorting works from the keyboard, and rows re-ordered in place.
 */
import { codicon, el } from './dom';
import type { SortChoice } from './host';

export interface Column<R> {
  key: string;
  label: string;
  /** Numbers align right and sort largest first on the first click. */
  numeric?: boolean;
  /** What the header's tooltip explains. */
  title?: string;
  /** False for action columns: their header is plain text. */
  sortable?: boolean;
  /** Left out when the panel is narrow (beside an editor); the exports keep it. */
  optional?: boolean;
  value: (row: R) => number | string;
  cell: (row: R) => Node | string;
}

export interface SortableTableOptions<R> {
  /** Which table this is, for the saved sort and focus keys. */
  id: string;
  caption: string;
  columns: Column<R>[];
  rows: readonly R[];
  sort: SortChoice | undefined;
  defaultSort: SortChoice;
  onSort: (sort: SortChoice) => void;
  rowClass?: (row: R) => string | undefined;
  rowLabel?: (row: R) => string | undefined;
  /** Show only the first `limit` rows of the sorted list. */
  limit?: number;
}

export function sortRows<R>(rows: readonly R[], column: Column<R> | undefined, descending: boolean): R[] {
  if (!column) return [...rows];
  const indexed = rows.map((row, i) => ({ row, i, v: column.value(row) }));
  indexed.sort((x, y) => {
    const c =
      typeof x.v === 'number' && typeof y.v === 'number' ? x.v - y.v : String(x.v).localeCompare(String(y.v), undefined, { numeric: true });
    // Ties keep the report's order whichever way the column is sorted.
    return (descending ? -c : c) || x.i - y.i;
  });
  return indexed.map((x) => x.row);
}

export function sortableTable<R>(o: SortableTableOptions<R>): HTMLTableElement {
  const known = (s: SortChoice | undefined) => s && o.columns.some((c) => c.key === s.column);
  let sort: SortChoice = known(o.sort) ? o.sort! : o.defaultSort;
  const tbody = el('tbody');
  const headers = new Map<string, HTMLTableCellElement>();

  const fill = () => {
    const column = o.columns.find((c) => c.key === sort.column);
    const sorted = sortRows(o.rows, column, sort.descending);
    const shown = o.limit !== undefined ? sorted.slice(0, o.limit) : sorted;
    tbody.replaceChildren(
      ...shown.map((row) =>
        el(
          'tr',
          { class: o.rowClass?.(row), attrs: { 'aria-label': o.rowLabel?.(row) } },
          ...o.columns.map((c, i) =>
            i === 0 ? el('th', { attrs: { scope: 'row' }, class: classOf(c) }, c.cell(row)) : el('td', { class: classOf(c) }, c.cell(row)),
          ),
        ),
      ),
    );
    for (const [key, th] of headers) {
      const active = key === sort.column;
      th.setAttribute('aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : 'none');
      const icon = th.querySelector('.sort-icon');
      if (icon) icon.className = `sort-icon codicon codicon-${active ? (sort.descending ? 'arrow-down' : 'arrow-up') : 'blank'}`;
    }
  };

  const headerRow = el(
    'tr',
    {},
    ...o.columns.map((c) => {
      if (c.sortable === false) return el('th', { class: ['plain', classOf(c)].filter(Boolean).join(' '), attrs: { scope: 'col' }, text: c.label });
      const button = el(
        'button',
        {
          class: 'sort-button',
          title: c.title ?? `Sort by ${c.label.toLowerCase()}`,
          attrs: { type: 'button', 'data-focus-key': `sort:${o.id}:${c.key}`, 'data-column': c.key },
          on: {
            click: () => {
              sort = sort.column === c.key ? { column: c.key, descending: !sort.descending } : { column: c.key, descending: !!c.numeric };
              fill();
              o.onSort(sort);
            },
          },
        },
        el('span', { text: c.label }),
        codicon('blank'),
      );
      button.lastElementChild!.classList.add('sort-icon');
      const th = el('th', { attrs: { scope: 'col' }, class: classOf(c) }, button);
      headers.set(c.key, th);
      return th;
    }),
  );

  const table = el('table', { class: 'data sortable', attrs: { 'data-table': o.id } }, el('caption', { text: o.caption }), el('thead', {}, headerRow), tbody);
  fill();
  return table;
}

function classOf(column: { numeric?: boolean; optional?: boolean }): string | undefined {
  return [column.numeric ? 'num' : '', column.optional ? 'optional' : ''].filter(Boolean).join(' ') || undefined;
}

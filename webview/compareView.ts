/**
 * The Compare tab: the same text under several tokenizers (counts, density, fertility, what each model's
 * window holds), and where two of them put their boundaries.
 */
import type { CompareReport, CompareRow } from '../src/core/compare/compare';
import { NUMBER_NOTE } from '../src/core/hover/numberSplit';
import type { CompareSource, PanelState, TokenizerChoice } from '../src/core/panel/protocol';
import { formatWindow } from '../src/core/budget/budget';
import { formatUsd } from '../src/core/budget/cost';
import { boundaryView } from './boundaries';
import { barList } from './charts';
import { el, replace } from './dom';
import { exportButtons } from './exportButtons';
import { count, delta, finite, ratio, share } from './format';
import type { Host } from './host';
import type { Column } from './table';
import { sortableTable } from './table';

const SOURCES: { value: CompareSource; label: string }[] = [
  { value: 'document', label: 'The document' },
  { value: 'selection', label: 'The selection' },
  { value: 'pinned', label: 'The pinned files' },
];

export const COMPARE_TABLE = 'compare';

export class CompareView {
  readonly element: HTMLElement;
  private readonly source;
  private readonly tokenizers;
  private readonly pairA;
  private readonly pairB;
  private readonly report = el('div', { class: 'report' });
  private readonly boundaries = el('div');
  private lastChoices = '';
  private lastReport = '';
  private lastBoundaries = '';
  private names = new Map<string, string>();

  constructor(private readonly host: Host) {
    this.source = el(
      'vscode-single-select',
      { props: { label: 'Text to compare' }, attrs: { 'data-focus-key': 'compare-source' }, on: { change: () => this.post({ type: 'setCompareSource', source: this.source.value as CompareSource }) } },
      ...SOURCES.map((s) => el('vscode-option', { text: s.label, attrs: { value: s.value } })),
    );
    this.tokenizers = el('vscode-multi-select', {
      props: { label: 'Tokenizers to compare' },
      attrs: { 'data-focus-key': 'compare-tokenizers' },
      on: { change: () => this.post({ type: 'setCompareTokenizers', ids: [...this.tokenizers.value] }) },
    });
    const pairChanged = () => this.post({ type: 'setBoundaryPair', a: this.pairA.value, b: this.pairB.value });
    this.pairA = el('vscode-single-select', { props: { label: 'First tokenizer' }, attrs: { 'data-focus-key': 'pair-a' }, on: { change: pairChanged } });
    this.pairB = el('vscode-single-select', { props: { label: 'Second tokenizer' }, attrs: { 'data-focus-key': 'pair-b' }, on: { change: pairChanged } });

    this.element = el(
      'section',
      { class: 'view compare-view', attrs: { 'aria-label': 'Compare' } },
      el(
        'div',
        { class: 'controls' },
        el('label', { class: 'control' }, el('span', { class: 'field-label', text: 'Text' }), this.source),
        el('label', { class: 'control wide' }, el('span', { class: 'field-label', text: 'Tokenizers' }), this.tokenizers),
      ),
      this.report,
      el(
        'section',
        { class: 'group', attrs: { 'aria-labelledby': 'boundaries-heading' } },
        el('h2', { id: 'boundaries-heading', text: 'Boundaries side by side' }),
        el('p', { class: 'secondary', text: 'Tokens on alternating backgrounds; a marked edge is a boundary that only this tokenizer has.' }),
        el(
          'div',
          { class: 'controls' },
          el('label', { class: 'control' }, el('span', { class: 'field-label', text: 'First' }), this.pairA),
          el('label', { class: 'control' }, el('span', { class: 'field-label', text: 'Second' }), this.pairB),
        ),
        this.boundaries,
      ),
      exportButtons(host, 'compare', 'the comparison'),
    );
  }

  /** A value set from a snapshot fires `change` too; only the user's choices go to the extension. */
  private updating = false;
  private post(message: Parameters<Host['post']>[0]): void {
    if (!this.updating) this.host.post(message);
  }

  update(state: PanelState): void {
    this.updating = true;
    try {
      this.updateChoices(state);
      const reportKey = JSON.stringify([state.compare ?? null, state.compareMessage ?? null]);
      if (reportKey !== this.lastReport) {
        this.lastReport = reportKey;
        replace(this.report, ...this.renderReport(state));
      }
      const boundaryKey = JSON.stringify(state.boundaries ?? null);
      if (boundaryKey !== this.lastBoundaries) {
        this.lastBoundaries = boundaryKey;
        replace(
          this.boundaries,
          state.boundaries ? boundaryView(state.boundaries, (id) => this.names.get(id) ?? id) : el('p', { class: 'message', text: 'Select text, or open a file, to see where the boundaries fall.' }),
        );
      }
    } finally {
      this.updating = false;
    }
  }

  private updateChoices(state: PanelState): void {
    const choices: TokenizerChoice[] = Array.isArray(state.tokenizers) ? state.tokenizers.filter((t) => t && typeof t.id === 'string') : [];
    this.names = new Map(choices.map((t) => [t.id, t.name ?? t.id]));
    const key = JSON.stringify(choices);
    if (key !== this.lastChoices) {
      this.lastChoices = key;
      const options = () => choices.map((t) => el('vscode-option', { text: `${t.name}${t.exact ? '' : ' (≈)'}`, attrs: { value: t.id } }));
      replace(this.tokenizers, ...options());
      replace(this.pairA, ...options());
      replace(this.pairB, ...options());
    }
    if (!this.source.matches(':focus-within')) this.source.value = state.compareSource ?? 'document';
    if (!this.tokenizers.matches(':focus-within')) this.tokenizers.value = (state.compareTokenizers ?? []).filter((id) => this.names.has(id));
    if (state.boundaries) {
      if (!this.pairA.matches(':focus-within')) this.pairA.value = state.boundaries.a?.tokenizer ?? '';
      if (!this.pairB.matches(':focus-within')) this.pairB.value = state.boundaries.b?.tokenizer ?? '';
    }
  }

  private renderReport(state: PanelState): Node[] {
    const report = state.compare;
    if (!report) return [el('p', { class: 'message', text: state.compareMessage || 'Nothing to compare yet: open a file or select text.' })];
    if (state.compareMessage) return [el('p', { class: 'message', text: state.compareMessage }), ...this.renderReport({ ...state, compareMessage: undefined })];
    const rows: CompareRow[] = Array.isArray(report.rows) ? report.rows.filter((r) => r && typeof r.tokenizer === 'string') : [];
    const isRef = (r: CompareRow) => r.tokenizer === report.reference;
    const approx = (r: CompareRow) => !r.exact;
    const columns: Column<CompareRow>[] = [
      {
        key: 'tokenizer',
        label: 'Tokenizer',
        value: (r) => r.name ?? r.tokenizer,
        cell: (r) =>
          el(
            'span',
            { class: 'tokenizer-cell' },
            el('span', { text: r.name ?? r.tokenizer }),
            approx(r) ? el('span', { class: 'approx-badge', text: '≈', title: 'Approximates the model’s own tokenizer' }) : null,
            isRef(r) ? el('span', { class: 'ref-badge', text: 'current' }) : null,
          ),
      },
      { key: 'tokens', label: 'Tokens', numeric: true, value: (r) => finite(r.tokens), cell: (r) => count(r.tokens, approx(r)) },
      { key: 'charsPerToken', label: 'Chars/\u200btoken', numeric: true, title: 'Characters (code points) per token: higher is denser', value: (r) => finite(r.charsPerToken), cell: (r) => ratio(r.charsPerToken) },
      { key: 'bytesPerToken', label: 'Bytes/\u200btoken', numeric: true, optional: true, title: 'UTF-8 bytes per token', value: (r) => finite(r.bytesPerToken), cell: (r) => ratio(r.bytesPerToken) },
      { key: 'tokensPerWord', label: 'Tokens/\u200bword', numeric: true, title: 'Fertility: tokens per word; lower is better', value: (r) => finite(r.tokensPerWord), cell: (r) => ratio(r.tokensPerWord) },
      { key: 'singleTokenWords', label: '1-token words', numeric: true, optional: true, title: 'Share of words that are a single token', value: (r) => finite(r.singleTokenWords), cell: (r) => share(r.singleTokenWords) },
      { key: 'delta', label: 'Δ vs current', numeric: true, title: 'Tokens more (+) or fewer (−) than the current tokenizer', value: (r) => finite(r.deltaTokens), cell: (r) => (isRef(r) ? '—' : el('span', { class: 'stacks' }, ...delta(r.deltaTokens, r.deltaShare).split(/ (?=\()/).map((part) => el('span', { text: part })))) },
      {
        key: 'window',
        label: 'Window holds',
        numeric: true,
        title: 'Characters of this text that the window of a model using this tokenizer holds',
        value: (r) => finite(r.window?.characters),
        cell: (r) => (r.window ? el('span', { title: `${r.window.model}: ${formatWindow(finite(r.window.contextWindow))} tokens` }, el('span', { text: count(r.window.characters, true) }), el('span', { class: 'unit', text: ' chars' })) : '—'),
      },
    ];
    const priced = rows.some((r) => typeof r.inputCost === 'number');
    if (priced) {
      columns.push({
        key: 'inputCost',
        label: 'Input cost',
        numeric: true,
        title: 'This text as the input of that model, at its list input price: an estimate',
        value: (r) => finite(r.inputCost),
        cell: (r) => (typeof r.inputCost === 'number' && r.window ? el('span', { title: `${r.window.model}, at its list input price` }, `≈ ${formatUsd(r.inputCost)}`) : '—'),
      });
    }
    const table = sortableTable({
      id: COMPARE_TABLE,
      caption: `Tokenizers on ${report.source}`,
      columns,
      rows,
      sort: this.host.sortOf(COMPARE_TABLE),
      defaultSort: { column: 'tokens', descending: false },
      onSort: (sort) => this.host.setSort(COMPARE_TABLE, sort),
      rowClass: (r) => (isRef(r) ? 'reference' : undefined),
    });
    const lowest = rows.reduce<CompareRow | undefined>((m, r) => (m === undefined || finite(r.tokens) < finite(m.tokens) ? r : m), undefined);
    const bars = barList(
      rows.map((r) => ({ label: r.name ?? r.tokenizer, value: finite(r.tokens), text: count(r.tokens, approx(r)), highlight: isRef(r) })),
      `Tokens per tokenizer: ${rows.map((r) => `${r.name ?? r.tokenizer} ${count(r.tokens, approx(r))}`).join(', ')}${lowest ? `; fewest: ${lowest.name ?? lowest.tokenizer}` : ''}.`,
    );
    return [
      el('p', { class: 'compare-summary' }, el('strong', { text: report.source }), ` — ${count(report.characters)} characters, ${count(report.bytes)} bytes, ${count(report.words)} words`),
      el('div', { class: 'table-scroll' }, table),
      el('p', { class: 'note' }, `Counts from different tokenizers are not comparable as capacity — WINDOW HOLDS says how many characters of this text each model’s window takes${priced ? ', INPUT COST what that model charges for it at its list price (an estimate)' : ''}.`),
      ...numbersLine(report.numbers),
      el('figure', { class: 'chart' }, bars),
    ];
  }
}

/** How each tokenizer splits a number's digits: the text's longest, or an example. */
function numbersLine(numbers: CompareReport['numbers']): HTMLElement[] {
  if (!numbers || !Array.isArray(numbers.splits)) return [];
  const splits = numbers.splits.map((s) => `${s.tokenizer.id} ${s.pieces.join('·')} (${s.grouping})`).join(' · ');
  const what = numbers.fromText ? `Numbers, as in ${numbers.digits}` : `Numbers, as in ${numbers.digits} (an example: the text has none of four digits)`;
  return [el('p', { class: 'note numbers' }, `${what}: ${splits}. ${NUMBER_NOTE}`)];
}

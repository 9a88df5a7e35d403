/**
 * The Budget tab: what the request holds against the model's window (system prompt, template, pinned
 * files, the document or selection), the output reserved apart from it, and the controls that change it.
 */
import type { BudgetPart, BudgetReport } from '../src/core/budget/compose';
import { providerName } from '../src/core/budget/providers';
import { formatWindow } from '../src/core/budget/budget';
import { costFigures, formatPrices, formatUsd } from '../src/core/budget/cost';
import type { PanelState } from '../src/core/panel/protocol';
import type { Segment } from './charts';
import { stackedBar, swatch } from './charts';
import { codicon, el, replace } from './dom';
import { exportButtons } from './exportButtons';
import { count, finite, share } from './format';
import type { Host } from './host';

const KIND_CLASS: Record<string, string> = {
  system: 'seg-system',
  template: 'seg-template',
  pinned: 'seg-pinned',
  document: 'seg-document',
  selection: 'seg-document',
};

const STATE_TEXT = {
  ok: { icon: 'pass', text: 'Within budget' },
  warning: { icon: 'warning', text: 'Close to the limit' },
  error: { icon: 'error', text: 'Over the limit' },
};

/** How long typing in the system prompt waits before the extension recounts. */
const PROMPT_DEBOUNCE_MS = 400;

export class BudgetView {
  readonly element: HTMLElement;
  private readonly report = el('div', { class: 'report' });
  private readonly promptArea;
  private readonly promptFile = el('p', { class: 'secondary prompt-file', attrs: { 'aria-live': 'polite' } });
  private readonly reserved;
  private readonly pinnedList = el('ul', { class: 'pinned-list', attrs: { 'aria-label': 'Pinned files' } });
  private promptTimer: ReturnType<typeof setTimeout> | undefined;
  /** What was last sent for the reserved output: Enter and the change that follows it are one edit. */
  private reservedSent: string | undefined;
  private lastReport = '';
  private lastPinned = '';

  constructor(private readonly host: Host) {
    this.promptArea = el('vscode-textarea', {
      attrs: { rows: 4, resize: 'vertical', 'data-focus-key': 'system-prompt', placeholder: 'Text sent before everything else, as the system message' },
      props: { label: 'System prompt' },
      on: { input: () => this.promptChanged() },
    });
    this.reserved = el('vscode-textfield', {
      attrs: { type: 'number', min: 0, step: 1, 'data-focus-key': 'reserved-output', placeholder: "the model's default" },
      props: { label: 'Output tokens to reserve' },
      on: {
        change: () => this.reservedChanged(),
        keydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter') this.reservedChanged();
        },
      },
    });
    const button = (text: string, key: string, onClick: () => void, icon?: string) =>
      el('vscode-button', { text, attrs: { secondary: true, icon, 'data-focus-key': key }, on: { click: onClick } });

    this.element = el(
      'section',
      { class: 'view budget-view', attrs: { 'aria-label': 'Budget' } },
      this.report,
      el(
        'section',
        { class: 'group', attrs: { 'aria-labelledby': 'system-prompt-heading' } },
        el('h2', { id: 'system-prompt-heading', text: 'System prompt' }),
        this.promptArea,
        this.promptFile,
        el(
          'div',
          { class: 'toolbar' },
          button('From file…', 'prompt-file', () => host.post({ type: 'pickSystemPromptFile' }), 'go-to-file'),
          button('Clear', 'prompt-clear', () => {
            clearTimeout(this.promptTimer);
            this.promptTimer = undefined;
            this.promptArea.value = '';
            host.post({ type: 'clearSystemPrompt' });
          }, 'clear-all'),
        ),
      ),
      el(
        'section',
        { class: 'group', attrs: { 'aria-labelledby': 'reserved-heading' } },
        el('h2', { id: 'reserved-heading', text: 'Reserved output' }),
        el('div', { class: 'field-row' }, this.reserved, el('span', { class: 'secondary', text: "Empty: the model's default. Shown apart from the input, never added to it." })),
      ),
      el(
        'section',
        { class: 'group', attrs: { 'aria-labelledby': 'pinned-heading' } },
        el('h2', { id: 'pinned-heading', text: 'Pinned files' }),
        this.pinnedList,
        el('div', { class: 'toolbar' }, button('Pin files…', 'pin-files', () => host.post({ type: 'pinFiles' }), 'pin')),
      ),
      exportButtons(host, 'budget', 'the budget'),
    );
  }

  update(state: PanelState): void {
    const key = JSON.stringify([state.budget ?? null, state.budgetMessage ?? null]);
    if (key !== this.lastReport) {
      this.lastReport = key;
      // A message (a file not counted, a prompt file gone) shows above the report when there is one.
      const message = state.budgetMessage || (state.budget ? '' : 'Nothing to count yet: open a file.');
      replace(this.report, ...(message ? [el('p', { class: 'message', text: message })] : []), ...(state.budget ? renderReport(state.budget, this.host) : []));
    }
    this.updatePrompt(state.systemPrompt);
    this.updateReserved(state.budget);
    const pinned = Array.isArray(state.pinned) ? state.pinned.filter((p) => typeof p === 'string') : [];
    const pinnedKey = JSON.stringify(pinned);
    if (pinnedKey !== this.lastPinned) {
      this.lastPinned = pinnedKey;
      this.renderPinned(pinned);
    }
  }

  private promptChanged(): void {
    clearTimeout(this.promptTimer);
    this.promptTimer = setTimeout(() => {
      this.promptTimer = undefined;
      this.host.post({ type: 'setSystemPrompt', text: this.promptArea.value });
    }, PROMPT_DEBOUNCE_MS);
  }

  private updatePrompt(prompt: PanelState['systemPrompt'] | undefined): void {
    const editing = this.promptTimer !== undefined || this.promptArea.matches(':focus-within');
    if (prompt?.kind === 'file') {
      this.promptFile.replaceChildren(codicon('file'), ' Read from ', el('code', { text: prompt.path }), '. Typing here uses the text instead.');
      if (!editing) this.promptArea.value = '';
    } else {
      this.promptFile.replaceChildren();
      if (!editing) this.promptArea.value = prompt?.kind === 'text' ? prompt.text : '';
    }
  }

  private reservedChanged(): void {
    const raw = this.reserved.value.trim();
    if (raw === this.reservedSent) return;
    this.reservedSent = raw;
    if (raw === '') {
      this.reserved.invalid = false;
      this.host.post({ type: 'setReservedOutput', tokens: null });
      return;
    }
    const tokens = Number(raw);
    this.reserved.invalid = !(Number.isInteger(tokens) && tokens >= 0);
    if (!this.reserved.invalid) this.host.post({ type: 'setReservedOutput', tokens });
  }

  private updateReserved(budget: BudgetReport | undefined): void {
    if (this.reserved.matches(':focus-within')) return;
    this.reserved.value = budget ? String(finite(budget.reservedOutput)) : '';
    this.reservedSent = undefined;
  }

  private renderPinned(pinned: string[]): void {
    if (pinned.length === 0) {
      replace(this.pinnedList, el('li', { class: 'secondary', text: 'Nothing pinned. Pinned files count in every budget.' }));
      return;
    }
    replace(
      this.pinnedList,
      ...pinned.map((path) =>
        el(
          'li',
          {},
          el('button', {
            class: 'link',
            text: path,
            title: `Open ${path}`,
            attrs: { type: 'button', 'data-focus-key': `open:${path}` },
            on: { click: () => this.host.post({ type: 'openFile', path }) },
          }),
          el(
            'button',
            {
              class: 'icon-button',
              title: `Unpin ${path}`,
              attrs: { type: 'button', 'aria-label': `Unpin ${path}`, 'data-focus-key': `unpin:${path}` },
              on: { click: () => this.host.post({ type: 'unpin', path }) },
            },
            codicon('close'),
          ),
        ),
      ),
    );
  }
}

function renderReport(r: BudgetReport, host: Host): Node[] {
  const parts: BudgetPart[] = Array.isArray(r.parts) ? r.parts.filter((p) => p && typeof p === 'object') : [];
  const window = finite(r.model?.contextWindow);
  const input = finite(r.input);
  const reserved = finite(r.reservedOutput);
  const tokenizerExact = r.tokenizer?.exact !== false;
  const anyEstimate = !tokenizerExact || parts.some((p) => p.estimate);
  const state = r.state in STATE_TEXT ? r.state : 'ok';

  const notes: string[] = [];
  if (!tokenizerExact) notes.push(`${r.tokenizer?.name ?? 'This tokenizer'} stands in for ${r.model?.name ?? 'the model'}'s own tokenizer, so its counts are close, not exact.`);
  for (const p of parts) if (p.estimate && p.detail && tokenizerExact) notes.push(`${p.label}: ${p.detail}`);
  if (anyEstimate && notes.length === 0) notes.push('Some numbers are estimates rather than exact counts.');

  const modelLine = el(
    'div',
    { class: 'model-line' },
    el(
      'div',
      { class: 'model-row' },
      el('span', { class: 'field-label', text: 'Model' }),
      el('strong', { text: r.model?.name ?? r.model?.id ?? 'unknown' }),
      el('span', { class: 'secondary', text: `${r.model?.provider ? `${providerName(r.model.provider)} · ` : ''}${formatWindow(window)} window · up to ${formatWindow(finite(r.model?.maxOutput))} output` }),
      el('vscode-button', { text: 'Change model…', attrs: { secondary: true, 'data-focus-key': 'pick-model' }, on: { click: () => host.post({ type: 'pickModel' }) } }),
    ),
    el(
      'div',
      { class: 'model-row' },
      el('span', { class: 'field-label', text: 'Tokenizer' }),
      el('strong', { text: r.tokenizer?.name ?? r.tokenizer?.id ?? 'unknown' }),
      tokenizerExact
        ? el('span', { class: 'secondary', text: 'exact' })
        : el('span', { class: 'approx-badge', text: '≈ estimate', title: notes[0] }),
      el('vscode-button', { text: 'Change tokenizer…', attrs: { secondary: true, 'data-focus-key': 'pick-tokenizer' }, on: { click: () => host.post({ type: 'pickTokenizer' }) } }),
    ),
  );

  const fillOfUsable = finite(r.usable) > 0 ? input / finite(r.usable) : input > 0 ? Infinity : 0;
  const status = el(
    'div',
    { class: `budget-state state-${state}`, attrs: { role: 'status' } },
    codicon(STATE_TEXT[state].icon),
    el('strong', { text: STATE_TEXT[state].text }),
    ` — ${count(input, anyEstimate)} tokens, ${Number.isFinite(fillOfUsable) ? share(fillOfUsable) : 'all'} of the usable ${count(r.usable)} (${share(r.share)} of the ${formatWindow(window)} window)`,
  );

  const segments: Segment[] = parts.map((p) => ({ label: `${p.label}: ${count(p.tokens, p.estimate || !tokenizerExact)} tokens`, value: finite(p.tokens), className: KIND_CLASS[p.kind] ?? 'seg-document' }));
  segments.push({ label: `Output reserved: ${count(reserved)} tokens`, value: reserved, className: 'seg-reserved' });
  const free = Math.max(0, window - input - reserved);
  segments.push({ label: `Free: ${count(free)} tokens`, value: free, className: 'seg-free' });
  const total = Math.max(window, input + reserved);
  const summary =
    `Context window of ${count(window)} tokens: input ${count(input, anyEstimate)} (${share(r.share)}), ` +
    `output reserved ${count(reserved)}, ${finite(r.left) >= 0 ? `${count(r.left)} left` : `${count(-finite(r.left))} over`}.`;
  const legend = el(
    'ul',
    { class: 'legend' },
    ...parts.map((p) => legendItem(KIND_CLASS[p.kind] ?? 'seg-document', p.label, count(p.tokens, p.estimate || !tokenizerExact))),
    legendItem('seg-reserved', 'Output reserved', count(reserved)),
    legendItem('seg-free', 'Free', count(free)),
  );

  const mark = (estimate: boolean) => estimate || !tokenizerExact;
  const shareOfWindow = (tokens: number) => share(window > 0 ? tokens / window : 0);
  const rows = parts.map((p) =>
    el(
      'tr',
      { class: p.estimate ? 'estimate' : undefined },
      el(
        'th',
        { attrs: { scope: 'row' }, title: p.detail ?? p.path ?? '' },
        el(
          'div',
          { class: 'part-label' },
          swatch(KIND_CLASS[p.kind] ?? 'seg-document'),
          el('span', { text: p.label }),
          p.detail ? el('span', { class: 'secondary detail', text: p.detail }) : null,
        ),
      ),
      el('td', { class: 'num', text: count(p.tokens, mark(p.estimate)), title: mark(p.estimate) ? 'Estimate' : undefined }),
      el('td', { class: 'num', text: p.kind === 'template' ? '—' : count(p.characters) }),
      el('td', { class: 'num', text: shareOfWindow(finite(p.tokens)) }),
    ),
  );
  const footRow = (label: string, value: string, cls?: string, shareText = '') =>
    el('tr', { class: cls }, el('th', { attrs: { scope: 'row' }, text: label }), el('td', { class: 'num', text: value }), el('td', {}), el('td', { class: 'num', text: shareText }));
  const left = finite(r.left);
  const table = el(
    'table',
    { class: 'data budget-table' },
    el('caption', { text: 'Tokens per part of the request' }),
    el(
      'thead',
      {},
      el('tr', {}, ...['Part', 'Tokens', 'Characters', 'Share of window'].map((h, i) => el('th', { attrs: { scope: 'col' }, class: i > 0 ? 'num' : undefined, text: h }))),
    ),
    el('tbody', {}, ...rows),
    el(
      'tfoot',
      {},
      footRow('Input total', count(input, anyEstimate), 'total', shareOfWindow(input)),
      footRow('Output reserved', count(reserved), undefined, shareOfWindow(reserved)),
      footRow('Usable for input', count(r.usable), undefined, shareOfWindow(finite(r.usable))),
      footRow('Tokens left', left < 0 ? `−${count(-left, anyEstimate)}` : count(left, anyEstimate), left < 0 ? 'left negative' : 'left'),
    ),
  );

  return [
    modelLine,
    anyEstimate ? el('p', { class: 'estimate-note' }, el('span', { class: 'approx', text: '≈', attrs: { 'aria-hidden': 'true' } }), ` marks estimates. ${notes.join(' ')}`) : null,
    status,
    el('figure', { class: 'chart' }, stackedBar(segments, total, summary, window), legend),
    costLine(r),
    table,
    el('p', { class: 'window-holds' }, 'The usable window holds ', el('strong', { text: count(r.windowCharacters, true) }), ' characters of text like this.'),
  ].filter((n): n is HTMLElement => n !== null);
}

/** What the request costs at the model's list prices, under the bar; nothing for a model without prices. */
function costLine(r: BudgetReport): HTMLElement | null {
  if (!r.cost || !r.model.prices) return null;
  const figures = costFigures(r.cost).flatMap((f, i) => [i > 0 ? ' · ' : '', `${f.label.toLowerCase()} `, el('strong', { text: `≈ ${formatUsd(f.usd)}` })]);
  const from = r.model.pricesFrom ? `; ${r.model.pricesFrom}` : '';
  return el('p', { class: 'cost' }, 'Cost (estimate): ', ...figures, el('span', { class: 'secondary', text: ` — at ${formatPrices(r.model.prices)}${from}` }));
}

function legendItem(className: string, label: string, value: string): HTMLLIElement {
  return el('li', {}, swatch(className), el('span', { text: label }), el('span', { class: 'num secondary', text: value }));
}

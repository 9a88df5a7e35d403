/**
 * The Workspace tab: tokens per file and per folder, from a background scan, to decide what to leave out
 * of a prompt.
 */
import type { FileTokens, FolderNode, WorkspaceReport } from '../src/core/workspace/types';
import type { PanelState } from '../src/core/panel/protocol';
import { folderTree } from '../src/core/workspace/folderTree';
import { codicon, el, replace } from './dom';
import { exportButtons } from './exportButtons';
import { count, finite, formatCounted, ratio, share } from './format';
import type { Host } from './host';
import type { Column } from './table';
import { sortableTable } from './table';

export const FILES_TABLE = 'workspace-files';
/** Rows in the files table; the export has them all. */
const TOP_FILES = 100;

export class WorkspaceView {
  readonly element: HTMLElement;
  private readonly scan;
  private readonly cancel;
  private readonly progress = el('div', { class: 'scan-progress', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly report = el('div', { class: 'report' });
  private readonly openFolders = new Set<string>();
  private lastReport = '';

  constructor(private readonly host: Host) {
    this.scan = el('vscode-button', { text: 'Scan workspace', attrs: { icon: 'search', 'data-focus-key': 'scan' }, on: { click: () => host.post({ type: 'scanWorkspace' }) } });
    this.cancel = el('vscode-button', { text: 'Cancel', attrs: { secondary: true, icon: 'stop-circle', 'data-focus-key': 'cancel-scan' }, on: { click: () => host.post({ type: 'cancelScan' }) } });
    this.element = el(
      'section',
      { class: 'view workspace-view', attrs: { 'aria-label': 'Workspace' } },
      el('div', { class: 'toolbar' }, this.scan, this.cancel, this.progress),
      this.report,
      exportButtons(host, 'workspace', 'the workspace counts'),
    );
  }

  update(state: PanelState): void {
    const ws = state.workspace;
    const scanning = ws?.state === 'scanning' || state.workspaceProgress !== undefined;
    this.cancel.disabled = !scanning;
    this.scan.disabled = scanning;
    if (scanning) {
      const scanned = finite(state.workspaceProgress?.scanned ?? ws?.files?.length ?? 0);
      replace(
        this.progress,
        el('vscode-progress-ring', { attrs: { 'aria-label': 'Scanning' } }),
        el('span', { text: `${count(scanned)} files…` }),
        state.workspaceProgress?.path ? el('span', { class: 'secondary progress-path', text: state.workspaceProgress.path }) : null,
      );
    } else {
      this.progress.replaceChildren();
    }
    const key = JSON.stringify(ws ?? null);
    if (key === this.lastReport) return;
    this.lastReport = key;
    replace(this.report, ...(ws ? this.renderReport(ws) : [el('p', { class: 'message', text: 'Scan the workspace to see tokens per file and per folder. Files that .gitignore leaves out are not counted.' })]));
  }

  private renderReport(ws: WorkspaceReport): Node[] {
    const files: FileTokens[] = Array.isArray(ws.files) ? ws.files.filter((f) => f && typeof f.path === 'string') : [];
    const total = ws.total ?? { files: files.length, characters: 0, bytes: 0, tokens: 0 };
    const totalTokens = finite(total.tokens);
    const approx = ws.exact === false;
    const shareOf = (tokens: number) => (totalTokens > 0 ? tokens / totalTokens : 0);
    const stateNote = ws.state === 'cancelled' ? ' (cancelled: partial counts)' : ws.state === 'scanning' ? ' (so far)' : '';

    const totals = el(
      'dl',
      { class: 'totals' },
      ...[
        ['Files', count(total.files)],
        ['Tokens', count(total.tokens, approx)],
        ['Characters', count(total.characters)],
        ['Bytes', count(total.bytes)],
        ['Tokenizer', `${ws.tokenizer ?? ''}${approx ? ' (≈)' : ''}`],
        ['Time', `${(finite(ws.elapsedMs) / 1000).toFixed(1)} s`],
      ].flatMap(([k, v]) => [el('div', {}, el('dt', { text: k }), el('dd', { class: 'num', text: v }))]),
    );

    const columns: Column<FileTokens>[] = [
      {
        key: 'path',
        label: 'Path',
        value: (f) => f.path,
        cell: (f) =>
          el('button', {
            class: 'link',
            text: f.path,
            title: `Open ${f.path}`,
            attrs: { type: 'button', 'data-focus-key': `ws-open:${f.path}` },
            on: { click: () => this.host.post({ type: 'openFile', path: f.path }) },
          }),
      },
      { key: 'characters', label: 'Characters', numeric: true, title: 'Unicode code points: an emoji is one', value: (f) => finite(f.characters), cell: (f) => count(f.characters) },
      { key: 'tokens', label: 'Tokens', numeric: true, value: (f) => finite(f.tokens), cell: (f) => count(f.tokens, approx) },
      { key: 'charsPerToken', label: 'Chars/\u200btoken', numeric: true, title: 'Characters (code points) per token: higher is denser', value: (f) => (finite(f.tokens) > 0 ? finite(f.characters) / f.tokens : 0), cell: (f) => ratio(finite(f.tokens) > 0 ? finite(f.characters) / f.tokens : 0) },
      { key: 'share', label: 'Share', numeric: true, title: 'Share of all tokens in the workspace', value: (f) => finite(f.tokens), cell: (f) => share(shareOf(finite(f.tokens))) },
      {
        key: 'pin',
        label: 'Pin',
        sortable: false,
        value: (f) => f.path,
        cell: (f) =>
          el(
            'button',
            {
              class: 'icon-button',
              title: `Pin ${f.path}`,
              attrs: { type: 'button', 'aria-label': `Pin ${f.path}`, 'data-focus-key': `ws-pin:${f.path}` },
              on: { click: () => this.host.post({ type: 'pinPath', path: f.path }) },
            },
            codicon('pin'),
          ),
      },
    ];
    const table = sortableTable({
      id: FILES_TABLE,
      caption: files.length > TOP_FILES ? `The ${TOP_FILES} largest of ${count(files.length)} files, by the chosen column` : `${count(files.length)} files`,
      columns,
      rows: files,
      sort: this.host.sortOf(FILES_TABLE),
      defaultSort: { column: 'tokens', descending: true },
      onSort: (sort) => this.host.setSort(FILES_TABLE, sort),
      limit: TOP_FILES,
    });

    const skipped = Array.isArray(ws.skipped) ? ws.skipped.filter((s) => s && typeof s.path === 'string') : [];
    return [
      el('h2', { text: `Workspace${stateNote}` }),
      totals,
      el('section', { class: 'group', attrs: { 'aria-labelledby': 'folders-heading' } }, el('h2', { id: 'folders-heading', text: 'Folders' }), this.folderTree(files, totalTokens, approx)),
      el('section', { class: 'group', attrs: { 'aria-labelledby': 'files-heading' } }, el('h2', { id: 'files-heading', text: 'Files' }), el('div', { class: 'table-scroll' }, table)),
      skipped.length > 0
        ? el(
            'details',
            { class: 'skipped' },
            el('summary', { text: `${count(skipped.length)} skipped` }),
            el('ul', {}, ...skipped.map((s) => el('li', {}, el('code', { text: s.path }), el('span', { class: 'secondary', text: ` — ${s.reason ?? ''}` })))),
          )
        : el('p', { class: 'secondary', text: 'No files skipped.' }),
    ];
  }

  /** Folders open on the first level; deeper ones get their items when opened, so large trees stay cheap. */
  private folderTree(files: FileTokens[], totalTokens: number, approx: boolean): HTMLElement {
    const root = folderTree(files);
    const tree = el('vscode-tree', { attrs: { 'aria-label': 'Tokens per folder', 'indent-guides': 'onHover' } });
    const describe = (tokens: number, extra = '') => `${formatCounted(finite(tokens), 'token', approx ? '≈' : '')} · ${share(totalTokens > 0 ? tokens / totalTokens : 0)}${extra}`;
    const fileItem = (f: FileTokens) =>
      el(
        'vscode-tree-item',
        { attrs: { 'data-node': f.path, 'data-file': true } },
        codicon('file'),
        ` ${f.path.split('/').pop()}`,
        el('span', { attrs: { slot: 'description' }, text: describe(finite(f.tokens)) }),
      );
    const folderItem = (node: FolderNode): HTMLElement => {
      const item = el(
        'vscode-tree-item',
        { attrs: { 'data-node': node.path } },
        codicon('folder'),
        ` ${node.name}`,
        el('span', { attrs: { slot: 'description' }, text: describe(node.tokens, ` · ${formatCounted(finite(node.files), 'file')}`) }),
      );
      let filled = false;
      const fill = () => {
        if (filled) return;
        filled = true;
        item.querySelector(':scope > .placeholder')?.remove();
        item.append(...node.folders.map(folderItem), ...node.leaves.map(fileItem));
      };
      if (node.folders.length + node.leaves.length > 0) {
        // One stand-in child makes the item a branch (an arrow, aria-expanded) before its children exist.
        item.append(el('vscode-tree-item', { class: 'placeholder', text: '…' }));
      }
      new MutationObserver(() => {
        if (item.hasAttribute('open')) {
          this.openFolders.add(node.path);
          fill();
        } else this.openFolders.delete(node.path);
      }).observe(item, { attributes: true, attributeFilter: ['open'] });
      if (this.openFolders.has(node.path)) {
        fill();
        item.setAttribute('open', '');
      }
      return item;
    };
    tree.append(...root.folders.map(folderItem), ...root.leaves.map(fileItem));
    tree.addEventListener('vsc-tree-select', (e) => {
      // The typings say { selectedItems }; version 2.5 sends the array itself. Either will do.
      const detail: unknown = e.detail;
      const items = Array.isArray(detail) ? detail : (detail as { selectedItems?: unknown } | null)?.selectedItems;
      const file = Array.isArray(items) ? items.find((i): i is HTMLElement => i instanceof HTMLElement && i.hasAttribute('data-file')) : undefined;
      if (file) this.host.post({ type: 'openFile', path: file.getAttribute('data-node') ?? '' });
    });
    return tree;
  }
}

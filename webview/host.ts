/**
 * The page's side of the channel to the extension: typed messages out, checked messages in, and the view
 * choices VS Code keeps for the page across hide, show and reload.
 */
import type { HostMessage, PanelMessage, PanelTab, PanelViewState } from '../src/core/panel/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface SortChoice {
  column: string;
  descending: boolean;
}

/**
 * PanelViewState keeps one sort (the latest); the page also keeps each table's own, so that sorting one
 * table does not forget how the other was sorted.
 */
export interface StoredViewState extends PanelViewState {
  sorts?: Record<string, SortChoice>;
}

const TABS: readonly PanelTab[] = ['budget', 'compare', 'workspace'];

export class Host {
  private readonly api: VsCodeApi;
  private view: StoredViewState;

  constructor() {
    // acquireVsCodeApi may be called once per page; outside VS Code (a plain browser) messages go nowhere.
    this.api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage() {}, getState: () => undefined, setState() {} };
    this.view = readViewState(this.api.getState());
  }

  post(message: PanelMessage): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (message: HostMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      if (isHostMessage(event.data)) handler(event.data);
    });
  }

  get viewState(): StoredViewState {
    return this.view;
  }

  setTab(tab: PanelTab): void {
    this.save({ ...this.view, tab });
  }

  sortOf(table: string): SortChoice | undefined {
    return this.view.sorts?.[table] ?? (this.view.sort?.table === table ? this.view.sort : undefined);
  }

  setSort(table: string, sort: SortChoice): void {
    this.save({ ...this.view, sort: { table, ...sort }, sorts: { ...this.view.sorts, [table]: sort } });
  }

  private save(view: StoredViewState): void {
    this.view = view;
    this.api.setState(view);
  }
}

/** Whatever getState returns (an older page's state, nothing), read defensively. */
export function readViewState(value: unknown): StoredViewState {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const view: StoredViewState = { tab: TABS.includes(v.tab as PanelTab) ? (v.tab as PanelTab) : 'budget' };
  const sort = readSort(v.sort);
  if (sort && typeof (v.sort as Record<string, unknown>).table === 'string') view.sort = { table: (v.sort as { table: string }).table, ...sort };
  if (typeof v.sorts === 'object' && v.sorts !== null) {
    view.sorts = {};
    for (const [table, s] of Object.entries(v.sorts)) {
      const choice = readSort(s);
      if (choice) view.sorts[table] = choice;
    }
  }
  return view;
}

function readSort(value: unknown): SortChoice | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  return typeof s.column === 'string' && typeof s.descending === 'boolean' ? { column: s.column, descending: s.descending } : undefined;
}

function isHostMessage(value: unknown): value is HostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.type === 'state') return typeof m.state === 'object' && m.state !== null;
  return m.type === 'exported' && typeof m.path === 'string';
}

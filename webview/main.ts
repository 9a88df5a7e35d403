/**
 * The budget panel's page. It says `ready` before anything else, then draws every `state` snapshot the
 * extension sends, whole: the views skip what did not change and keep the keyboard focus where it was.
 */
import './elements';
import type { HostMessage, PanelState, PanelTab } from '../src/core/panel/protocol';
import { BudgetView } from './budgetView';
import { CompareView } from './compareView';
import { el, keepingFocus } from './dom';
import { Host } from './host';
import { WorkspaceView } from './workspaceView';

const TABS: { id: PanelTab; label: string }[] = [
  { id: 'budget', label: 'Budget' },
  { id: 'compare', label: 'Compare' },
  { id: 'workspace', label: 'Workspace' },
];

const host = new Host();
host.post({ type: 'ready' });

const views = { budget: new BudgetView(host), compare: new CompareView(host), workspace: new WorkspaceView(host) };
const announcer = el('p', { class: 'announcer', attrs: { role: 'status', 'aria-live': 'polite' } });
const tabs = el(
  'vscode-tabs',
  { attrs: { 'selected-index': Math.max(0, TABS.findIndex((t) => t.id === host.viewState.tab)) } },
  ...TABS.flatMap((t) => [el('vscode-tab-header', { text: t.label, attrs: { slot: 'header', 'data-tab': t.id } }), el('vscode-tab-panel', {}, views[t.id].element)]),
);
tabs.addEventListener('vsc-tabs-select', (e) => {
  const tab = TABS[(e as CustomEvent<{ selectedIndex: number }>).detail?.selectedIndex ?? 0];
  if (tab) host.setTab(tab.id);
});

const app = document.getElementById('app') ?? document.body.appendChild(el('main', { id: 'app' }));
app.replaceChildren(tabs, announcer);

function render(state: PanelState): void {
  keepingFocus(() => {
    for (const view of Object.values(views)) {
      try {
        view.update(state);
      } catch (e) {
        // One view's bad data must not blank the others.
        console.warn('Tokenwise panel: could not draw a view', e);
      }
    }
  });
  app.removeAttribute('aria-busy');
}

host.onMessage((message: HostMessage) => {
  if (message.type === 'state') render(message.state);
  else if (message.type === 'exported') announcer.textContent = `Exported the ${message.what} as ${message.format.toUpperCase()} to ${message.path}`;
});

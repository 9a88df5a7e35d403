/** CSV and JSON export of one view; the extension asks where to save and answers with `exported`. */
import { el } from './dom';
import type { Host } from './host';
import type { ExportWhat } from '../src/core/panel/protocol';

export function exportButtons(host: Host, what: ExportWhat, label: string): HTMLElement {
  const button = (format: 'csv' | 'json', text: string) =>
    el('vscode-button', {
      text,
      attrs: { secondary: true, icon: 'export', 'aria-label': `Export ${label} as ${text}`, 'data-focus-key': `export:${what}:${format}` },
      on: { click: () => host.post({ type: 'export', what, format }) },
    });
  return el('div', { class: 'toolbar export', attrs: { role: 'group', 'aria-label': `Export ${label}` } }, el('span', { class: 'field-label', text: 'Export', attrs: { 'aria-hidden': 'true' } }), button('csv', 'CSV'), button('json', 'JSON'));
}

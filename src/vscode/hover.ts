/** The token hover: shown while token highlighting is on, so that ordinary hovers stay quiet. */
import * as vscode from 'vscode';
import { renderHoverMarkdown } from '../core/hover/hoverMarkdown';
import { tokenHover } from '../core/hover/tokenHover';
import { loadTokenizer, namesTokenizerFile } from '../core/tokenizers/registry';
import type { Tokenizer } from '../core/tokenizers/types';
import { readSettings, setting, trustedPath } from './config';
import type { DocumentStore } from './documentStore';

export class TokenHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: DocumentStore) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!readSettings(document).highlight) return undefined;
    const state = this.store.get(document);
    if (state?.kind !== 'ready') return undefined;
    const offset = document.offsetAt(position);
    const model = tokenHover(state.tokens, state.tokenizer, offset, await pinnedTokenizers(document, state.tokenizer));
    if (!model) return undefined;
    const markdown = new vscode.MarkdownString(renderHoverMarkdown(model));
    const first = model.tokens[0];
    const last = model.tokens[model.tokens.length - 1];
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(first.start), document.positionAt(last.end)));
  }
}

/**
 * The other tokenizers the user compares with, loaded; those that fail to load are left out, and so are
 * files in an untrusted workspace, which cannot point Tokenwise at files.
 */
async function pinnedTokenizers(document: vscode.TextDocument, current: Tokenizer): Promise<Tokenizer[]> {
  const allowed = setting('pinnedTokenizers', document).filter((id) => id !== current.id && trustedPath(id, namesTokenizerFile));
  const loaded = await Promise.allSettled(allowed.map((id) => loadTokenizer(id)));
  return loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

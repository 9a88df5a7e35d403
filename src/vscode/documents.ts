/**
 * Which documents Tokenwise works on: one rule for counting, highlighting, the hover and completions.
 * Files on disk, remote and virtual workspaces (VS Code for the Web on a GitHub repository is `vscode-vfs`),
 * untitled text and VS Code's own settings files; not output panes, the SCM input box or debug consoles.
 */
import type * as vscode from 'vscode';

const SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs', 'vscode-userdata'];

export const TEXT_DOCUMENTS: vscode.DocumentFilter[] = SCHEMES.map((scheme) => ({ scheme }));

export function isCountable(document: vscode.TextDocument): boolean {
  return SCHEMES.includes(document.uri.scheme);
}

/**
 * Whether completions come while typing: not in VS Code's settings, keybindings and snippets, nor in a
 * workspace's `.vscode/` files, where a guess is more often wrong than helpful. Asked for explicitly
 * (Trigger Inline Suggestion), every countable document is completed.
 */
export function completesWhileTyping(document: vscode.TextDocument): boolean {
  return isCountable(document) && document.uri.scheme !== 'vscode-userdata' && !/\/\.vscode\/[^/]+$/.test(document.uri.path);
}

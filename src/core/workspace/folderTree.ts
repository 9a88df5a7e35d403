/** Sums per folder, and the largest files, from the flat file list of a workspace report. */
import type { FileTokens, FolderNode } from './types';

/** The folder tree of `files` (root-relative, '/'-separated); every level sorted by tokens, largest first. */
export function folderTree(files: readonly FileTokens[]): FolderNode {
  const root = node('', '');
  const folders = new Map<string, FolderNode>([['', root]]);
  for (const file of files) {
    const parts = file.path.split('/');
    let at = root;
    add(at, file);
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join('/');
      let child = folders.get(path);
      if (!child) {
        child = node(parts[i], path);
        folders.set(path, child);
        at.folders.push(child);
      }
      at = child;
      add(at, file);
    }
    at.leaves.push(file);
  }
  sortTree(root);
  return root;
}

/** The `n` files with the most tokens (ties by path). */
export function topFiles(files: readonly FileTokens[], n: number): FileTokens[] {
  return [...files].sort(byTokens).slice(0, Math.max(0, n));
}

const node = (name: string, path: string): FolderNode => ({ name, path, characters: 0, bytes: 0, tokens: 0, files: 0, folders: [], leaves: [] });

function add(folder: FolderNode, file: FileTokens): void {
  folder.characters += file.characters;
  folder.bytes += file.bytes;
  folder.tokens += file.tokens;
  folder.files++;
}

function byTokens(a: { tokens: number; path: string }, b: { tokens: number; path: string }): number {
  return b.tokens - a.tokens || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

function sortTree(folder: FolderNode): void {
  folder.folders.sort(byTokens);
  folder.leaves.sort(byTokens);
  for (const child of folder.folders) sortTree(child);
}

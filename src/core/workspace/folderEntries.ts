/** What a walk does with each entry of a folder: the rules the CLI and the workspace scan share. */
import { FileKind } from './fs';
import { NOT_REGULAR, SYMLINK } from './skipReasons';

/**
 * Names never entered below the folder a walk starts from: git's own data, and installed packages
 * (rarely gitignored per folder). Starting inside one (counting `node_modules/typescript`) is fine.
 */
export const NEVER_ENTERED: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export type FolderEntry =
  | { name: string; action: 'enter' }
  | { name: string; action: 'read' }
  | { name: string; action: 'skip'; reason: string };

/**
 * The entries of a folder in name order (UTF-16 code units, as the CLI always listed them), without
 * the never-entered names and the entries `ignored` excludes. Links are reported, not followed: git
 * stores a link, not what it points to, and following links could loop.
 */
export function classifyEntries(entries: readonly (readonly [string, number])[], ignored: (name: string, isDirectory: boolean) => boolean): FolderEntry[] {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: FolderEntry[] = [];
  for (const [name, kind] of sorted) {
    if (NEVER_ENTERED.has(name)) continue;
    const isLink = (kind & FileKind.SymbolicLink) !== 0;
    const isDirectory = !isLink && (kind & FileKind.Directory) !== 0;
    if (ignored(name, isDirectory)) continue;
    if (isDirectory) out.push({ name, action: 'enter' });
    else if (isLink) out.push({ name, action: 'skip', reason: SYMLINK });
    else if (kind & FileKind.File) out.push({ name, action: 'read' });
    else out.push({ name, action: 'skip', reason: NOT_REGULAR });
  }
  return out;
}

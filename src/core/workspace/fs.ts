/**
 * The little of a file system that a workspace scan needs, so that one walk runs on Node's `fs` (the
 * CLI, tests, benchmarks) and on VS Code's `workspace.fs` (desktop, web, remote). Paths are strings the
 * implementation understands, joined with '/' by the scan: a scan root and the names below it.
 */

/** Kinds as VS Code's `FileType` numbers them (a bit set: a link to a file is `File | SymbolicLink`). */
export const FileKind = {
  Unknown: 0,
  File: 1,
  Directory: 2,
  SymbolicLink: 64,
} as const;

export interface FsStat {
  /** A `FileKind` bit set. */
  type: number;
  size: number;
}

export interface WorkspaceFs {
  /** The entries of a folder as [name, FileKind bits]; links are reported as links, not followed. */
  readDirectory(path: string): Promise<[string, number][]>;
  /** Follows links. Rejects when nothing is there. */
  stat(path: string): Promise<FsStat>;
  readFile(path: string): Promise<Uint8Array>;
}

/** `dir` joined with a name or a '/'-separated relative path. */
export function joinPath(dir: string, rel: string): string {
  if (rel === '') return dir;
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}

/** The folder holding `path` ('/'-separated); a root is its own parent. */
export function parentPath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return trimmed;
  // Keep the slash of a root: '/a' → '/', 'C:/a' → 'C:/'.
  if (i === 0 || trimmed[i - 1] === ':') return trimmed.slice(0, i + 1);
  return trimmed.slice(0, i);
}

/** The walk of a workspace scan: which files to count under a folder, with the skipped paths and why. */
import { throwIfAborted } from './abort';
import { classifyEntries } from './folderEntries';
import { joinPath, type WorkspaceFs } from './fs';
import { withGitignoreOf, type IgnoreRules } from './gitignore';
import { describeError, unreadableFolder } from './skipReasons';
import type { SkippedPath } from './types';
import type { TimeSlicer } from './yieldToHost';

export interface WalkContext {
  fs: WorkspaceFs;
  root: string;
  /** The user's excludes, by root-relative path. */
  excluded: (rel: string, isDirectory: boolean) => boolean;
  slicer: TimeSlicer;
  signal?: AbortSignal;
}

export interface Listing {
  /** Root-relative, '/'-separated, depth first in name order. */
  files: string[];
  skipped: SkippedPath[];
}

/** `rel` joined below the root-relative folder `dir` ('' for the root). */
export const joinRel = (dir: string, rel: string): string => (dir === '' ? rel : `${dir}/${rel}`);

/**
 * Adds the files under `dir` (root-relative) to `out`. `rules` are those in force for `dir`'s own
 * entry, from the .gitignore files above it; its own .gitignore is read when it has one.
 */
export async function listTree(ctx: WalkContext, dir: string, rules: IgnoreRules, out: Listing): Promise<void> {
  throwIfAborted(ctx.signal);
  if (ctx.slicer.due) await ctx.slicer.yield();
  const abs = joinPath(ctx.root, dir);
  let entries: [string, number][];
  try {
    entries = await ctx.fs.readDirectory(abs);
  } catch (e) {
    out.skipped.push({ path: dir, reason: unreadableFolder(describeError(e)) });
    return;
  }
  // Reading a .gitignore only where the listing shows one saves a failed read per folder.
  const inner = entries.some(([name]) => name === '.gitignore') ? await withGitignoreOf(ctx.fs, abs, rules) : rules;
  const ignored = (name: string, isDirectory: boolean) => inner.ignores(joinPath(abs, name), isDirectory) || ctx.excluded(joinRel(dir, name), isDirectory);
  for (const entry of classifyEntries(entries, ignored)) {
    const rel = joinRel(dir, entry.name);
    if (entry.action === 'enter') await listTree(ctx, rel, inner, out);
    else if (entry.action === 'read') out.files.push(rel);
    else out.skipped.push({ path: rel, reason: entry.reason });
  }
}

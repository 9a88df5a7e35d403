/** The files a folder holds for counting (its .gitignore files and the user's excludes applied), without counting them. */
import { excludeMatcher, gitignoreAbove } from './gitignore';
import type { WorkspaceFs } from './fs';
import { listTree, type Listing } from './listTree';
import { TimeSlicer } from './yieldToHost';

export async function listFiles(fs: WorkspaceFs, root: string, options: { exclude?: readonly string[]; signal?: AbortSignal } = {}): Promise<Listing> {
  const listing: Listing = { files: [], skipped: [] };
  const ctx = { fs, root, excluded: excludeMatcher(options.exclude ?? []), slicer: new TimeSlicer(10), signal: options.signal };
  await listTree(ctx, '', await gitignoreAbove(fs, root), listing);
  return listing;
}

/**
 * `scanWorkspace`: tokens per file of a folder, walked with its .gitignore files and the user's
 * excludes, counted in the background of a single thread. The host keeps its turns: the scan yields
 * every `sliceMs`, within large files too.
 *
 * Cancelling (aborting `signal`) never rejects: the scan resolves with state 'cancelled' and the files
 * counted until then. It rejects only when the root itself cannot be read.
 */
import type { Tokenizer } from '../tokenizers/types';
import { ScanAborted } from './abort';
import { countFiles, type CountCache, type FileOutcome } from './countFiles';
import { FileKind, type WorkspaceFs } from './fs';
import { excludeMatcher, gitignoreAbove, IgnoreRules } from './gitignore';
import { listTree, type Listing } from './listTree';
import { makeReport } from './report';
import type { FileTokens, SkippedPath, WorkspaceReport } from './types';
import { TimeSlicer } from './yieldToHost';
import { Pace } from './countText';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

export interface ScanSettings {
  tokenizer: Tokenizer;
  /** Patterns in .gitignore syntax relative to the root (`dist/`, `**\/*.min.js`), applied after the .gitignore files. */
  exclude?: readonly string[];
  /** Files larger than this many bytes are skipped (default 10 MiB, as the CLI). */
  maxFileSize?: number;
  /** Milliseconds of work between turns given to the host (default 10). */
  sliceMs?: number;
  /** Whether the .gitignore files above the root, up to its repository's root, apply (default true). */
  gitignoreAbove?: boolean;
}

export interface ScanOptions extends ScanSettings {
  signal?: AbortSignal;
  /** After each file: how many are done, its path, and how many there are in all. */
  onProgress?: (scanned: number, path: string, total: number) => void;
}

/** Scans `root` (a path `fs` understands); file paths in the report are relative to it, '/'-separated. */
export async function scanWorkspace(fs: WorkspaceFs, root: string, options: ScanOptions): Promise<WorkspaceReport> {
  const files: FileTokens[] = [];
  const skipped: SkippedPath[] = [];
  const { state, listing, elapsedMs } = await runScan(fs, root, options, undefined, (outcome) => {
    if ('file' in outcome) files.push(outcome.file);
    else skipped.push({ path: outcome.path, reason: outcome.reason });
  });
  return makeReport(options.tokenizer, state, files, [...listing.skipped, ...skipped], elapsedMs);
}

/** The walk and count of a whole scan, for `scanWorkspace` and `WorkspaceIndex`. */
export async function runScan(
  fs: WorkspaceFs,
  root: string,
  options: ScanOptions,
  cache: CountCache | undefined,
  done: (outcome: FileOutcome) => void,
): Promise<{ state: 'done' | 'cancelled'; listing: Listing; elapsedMs: number }> {
  const started = performance.now();
  const listing: Listing = { files: [], skipped: [] };
  const stat = await fs.stat(root);
  if (!(stat.type & FileKind.Directory)) throw new Error(`${root} is not a folder`);
  const ctx = scanContext(fs, root, options, cache);
  let state: 'done' | 'cancelled' = 'done';
  try {
    const above = options.gitignoreAbove === false ? IgnoreRules.none : await gitignoreAbove(fs, root);
    await listTree(ctx, '', above, listing);
    const total = listing.files.length;
    await countFiles(ctx, listing.files, (outcome, i) => {
      done(outcome);
      options.onProgress?.(i + 1, outcome.path, total);
    });
  } catch (e) {
    if (!(e instanceof ScanAborted)) throw e;
    state = 'cancelled';
  }
  return { state, listing, elapsedMs: performance.now() - started };
}

export function scanContext(fs: WorkspaceFs, root: string, options: ScanSettings & { signal?: AbortSignal }, cache: CountCache | undefined) {
  return {
    fs,
    root,
    tokenizer: options.tokenizer,
    maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    excluded: excludeMatcher(options.exclude ?? []),
    slicer: new TimeSlicer(options.sliceMs ?? 10),
    pace: new Pace(options.sliceMs ?? 10),
    signal: options.signal,
    cache,
  };
}

/**
 * Finds the files to count under the paths a user names: folders are walked with their .gitignore
 * rules, `.git` and `node_modules` are never entered, and files that are binary, too large, links or
 * unreadable are reported as skipped rather than counted. One file at a time; the rules, and the
 * .gitignore files they are read from, are those of the workspace scan (`src/core/workspace/`).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { decodeText, isBinary } from '../core/workspace/binary';
import { classifyEntries } from '../core/workspace/folderEntries';
import { gitignoreAbove, withGitignoreOf, type IgnoreRules } from '../core/workspace/gitignore';
import { kindOf, nodeFs, nodeRoot } from '../core/workspace/nodeFs';
import { BINARY, NOT_REGULAR, tooLarge, unreadable, unreadableFolder } from '../core/workspace/skipReasons';
import { CliError, describeErrno } from './errors';

export { isBinary, SNIFF_BYTES } from '../core/workspace/binary';

export { DEFAULT_MAX_FILE_SIZE } from '../core/workspace/scan';

export interface WalkOptions {
  /** Files larger than this many bytes are skipped. */
  maxFileSize: number;
}

export type WalkEntry =
  /** `path` is as the user would write it: the named path joined with the path below it. */
  | { kind: 'file'; path: string; text: string }
  | { kind: 'skipped'; path: string; reason: string };

/**
 * The files under `paths`, one at a time so that only one file's text is held. Every named path is
 * checked before any is walked: one that cannot be read is an error, not a skipped file.
 */
export async function* walk(paths: readonly string[], options: WalkOptions): AsyncGenerator<WalkEntry> {
  const named = paths.map((path) => ({ path, abs: resolve(path), stats: statNamed(path) }));
  const seen = new Set<string>();
  for (const { path, abs, stats } of named) {
    if (stats.isDirectory()) {
      const root = nodeRoot(abs);
      yield* walkFolder(abs, path, await withGitignoreOf(nodeFs, root, await gitignoreAbove(nodeFs, root)), options, seen);
    } else if (!seen.has(abs)) {
      // A file named explicitly is counted even when a .gitignore excludes it.
      seen.add(abs);
      const display = normalize(path);
      yield stats.isFile() ? readTextFile(abs, display, stats.size, options) : skipped(display, NOT_REGULAR);
    }
  }
}

function statNamed(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${describeErrno(e)}`);
  }
}

async function* walkFolder(abs: string, path: string, rules: IgnoreRules, options: WalkOptions, seen: Set<string>): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    yield skipped(path, unreadableFolder(describeErrno(e)));
    return;
  }
  const kinds = entries.map((e) => [e.name, kindOf(e)] as const);
  for (const entry of classifyEntries(kinds, (name, isDirectory) => rules.ignores(nodeRoot(join(abs, name)), isDirectory))) {
    const childAbs = join(abs, entry.name);
    const childPath = join(path, entry.name);
    if (seen.has(childAbs)) continue;
    seen.add(childAbs);
    if (entry.action === 'enter') yield* walkFolder(childAbs, childPath, await withGitignoreOf(nodeFs, nodeRoot(childAbs), rules), options, seen);
    else if (entry.action === 'read') yield readFile(childAbs, childPath, options);
    else yield skipped(childPath, entry.reason);
  }
}

function readFile(abs: string, path: string, options: WalkOptions): WalkEntry {
  let size: number;
  try {
    size = statSync(abs).size;
  } catch (e) {
    return skipped(path, unreadable(describeErrno(e)));
  }
  return readTextFile(abs, path, size, options);
}

function readTextFile(abs: string, path: string, size: number, options: WalkOptions): WalkEntry {
  if (size > options.maxFileSize) {
    return skipped(path, `${tooLarge(size, options.maxFileSize)} (raise it with --max-file-size BYTES)`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    return skipped(path, unreadable(describeErrno(e)));
  }
  if (isBinary(bytes)) return skipped(path, BINARY);
  return { kind: 'file', path, text: decodeText(bytes) };
}

function skipped(path: string, reason: string): WalkEntry {
  return { kind: 'skipped', path, reason };
}

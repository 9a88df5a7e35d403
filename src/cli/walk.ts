/**
 * Finds the files to count under the paths a user names: folders are walked with their .gitignore
 * rules, `.git` and `node_modules` are never entered, and files that are binary, too large, links or
 * unreadable are reported as skipped rather than counted.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { CliError, describeErrno } from './errors';
import { formatBytes } from './format';
import { GitignoreRules } from './gitignore';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

/** How much of a file's start is looked at to tell text from binary. */
export const SNIFF_BYTES = 8192;

/** Folders never entered: git's own data, and installed packages (rarely gitignored per folder). */
const NEVER_ENTERED = new Set(['.git', 'node_modules']);

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
export function* walk(paths: readonly string[], options: WalkOptions): Generator<WalkEntry> {
  const named = paths.map((path) => ({ path, abs: resolve(path), stats: statNamed(path) }));
  const seen = new Set<string>();
  for (const { path, abs, stats } of named) {
    if (stats.isDirectory()) {
      yield* walkFolder(abs, path, GitignoreRules.forParentsOf(abs).withFile(abs), options, seen);
    } else if (!seen.has(abs)) {
      // A file named explicitly is counted even when a .gitignore excludes it.
      seen.add(abs);
      const display = normalize(path);
      yield stats.isFile() ? readTextFile(abs, display, stats.size, options) : skipped(display, 'not a regular file');
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

function* walkFolder(abs: string, path: string, rules: GitignoreRules, options: WalkOptions, seen: Set<string>): Generator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    yield skipped(path, `unreadable folder (${describeErrno(e)})`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (NEVER_ENTERED.has(entry.name)) continue;
    const childAbs = join(abs, entry.name);
    const childPath = join(path, entry.name);
    const isDirectory = entry.isDirectory();
    if (rules.ignores(childAbs, isDirectory)) continue;
    if (seen.has(childAbs)) continue;
    seen.add(childAbs);
    if (isDirectory) {
      yield* walkFolder(childAbs, childPath, rules.withFile(childAbs), options, seen);
    } else if (entry.isSymbolicLink()) {
      // Git stores a link, not what it points to; following links could also loop.
      yield skipped(childPath, 'symbolic link (not followed)');
    } else if (!entry.isFile()) {
      yield skipped(childPath, 'not a regular file');
    } else {
      yield readFile(childAbs, childPath, options);
    }
  }
}

function readFile(abs: string, path: string, options: WalkOptions): WalkEntry {
  let size: number;
  try {
    size = statSync(abs).size;
  } catch (e) {
    return skipped(path, `unreadable (${describeErrno(e)})`);
  }
  return readTextFile(abs, path, size, options);
}

function readTextFile(abs: string, path: string, size: number, options: WalkOptions): WalkEntry {
  if (size > options.maxFileSize) {
    return skipped(path, `${formatBytes(size)}, over the ${formatBytes(options.maxFileSize)} size limit (raise it with --max-file-size BYTES)`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    return skipped(path, `unreadable (${describeErrno(e)})`);
  }
  if (isBinary(bytes)) return skipped(path, BINARY);
  return { kind: 'file', path, text: bytes.toString('utf8') };
}

const BINARY = 'binary (a NUL byte or invalid UTF-8 in its first 8 KiB)';

/**
 * True when the first 8 KiB of a file's content hold a NUL byte or are not UTF-8 (a character cut off
 * by the 8 KiB mark is fine). UTF-16 text, which is full of NULs, counts as binary.
 */
export function isBinary(bytes: Uint8Array): boolean {
  const start = bytes.subarray(0, SNIFF_BYTES);
  if (start.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(start, { stream: bytes.length > SNIFF_BYTES });
    return false;
  } catch {
    return true;
  }
}

function skipped(path: string, reason: string): WalkEntry {
  return { kind: 'skipped', path, reason };
}

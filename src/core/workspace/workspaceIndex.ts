/**
 * Per-file token counts of one folder under one tokenizer, kept current file by file: a file watcher
 * calls `updateFile` and `removeFile` instead of scanning again. Counts are cached by content
 * (`contentKey`), so a rescan re-reads files but re-encodes only those whose bytes changed.
 * Operations run one at a time, in the order they were called.
 */
import { countFiles, type CountCache } from './countFiles';
import { classifyEntries, NEVER_ENTERED } from './folderEntries';
import { FileKind, joinPath, type WorkspaceFs } from './fs';
import { gitignoreAbove, IgnoreRules, withGitignoreOf } from './gitignore';
import { joinRel, listTree, type Listing } from './listTree';
import { makeReport } from './report';
import { runScan, scanContext, type ScanOptions, type ScanSettings } from './scan';
import type { FileTokens, WorkspaceReport } from './types';

interface Entry {
  file: FileTokens;
  key?: string;
}

export class WorkspaceIndex {
  private files = new Map<string, Entry>();
  private skipped = new Map<string, string>();
  private cache: CountCache = new Map();
  private state: WorkspaceReport['state'] = 'scanning';
  private elapsedMs = 0;
  private above?: Promise<IgnoreRules>;
  private queue: Promise<unknown> = Promise.resolve();

  /** `root`: a path `fs` understands; paths given to and returned by the index are relative to it. */
  constructor(
    private readonly fs: WorkspaceFs,
    private readonly root: string,
    private readonly settings: ScanSettings,
  ) {}

  /**
   * Scans the whole folder again. When cancelled, the index keeps what it had before, and the report
   * returned is that of the cancelled scan (what it had counted).
   */
  scan(options: Pick<ScanOptions, 'signal' | 'onProgress'> = {}): Promise<WorkspaceReport> {
    return this.enqueue(async () => {
      const files = new Map<string, Entry>();
      const skipped = new Map<string, string>();
      this.above = undefined;
      const { state, listing, elapsedMs } = await runScan(this.fs, this.root, { ...this.settings, ...options }, this.cache, (outcome) => {
        if ('file' in outcome) files.set(outcome.path, { file: outcome.file, key: outcome.key });
        else skipped.set(outcome.path, outcome.reason);
      });
      for (const s of listing.skipped) skipped.set(s.path, s.reason);
      if (state === 'done') {
        this.files = files;
        this.skipped = skipped;
        this.elapsedMs = elapsedMs;
        this.pruneCache();
      }
      if (this.state !== 'done') this.state = state;
      return this.build(files, skipped, state, elapsedMs);
    });
  }

  /**
   * Counts one path again after it was created or changed: a file, a folder (its whole subtree) or a
   * .gitignore (the subtree its rules govern). It is dropped when the rules now exclude it.
   */
  updateFile(path: string): Promise<void> {
    return this.enqueue(() => this.refresh(normalize(path)));
  }

  /** Forgets a deleted file or folder (everything under it). */
  removeFile(path: string): Promise<void> {
    const rel = normalize(path);
    return this.enqueue(async () => {
      this.dropUnder(rel);
      // Without its .gitignore, a folder may hold files that were ignored.
      if (baseName(rel) === '.gitignore') await this.refreshFolder(parentRel(rel));
    });
  }

  report(): WorkspaceReport {
    return this.build(this.files, this.skipped, this.state, this.elapsedMs);
  }

  private build(files: Map<string, Entry>, skipped: Map<string, string>, state: WorkspaceReport['state'], elapsedMs: number): WorkspaceReport {
    const list = [...files.values()].map((e) => ({ ...e.file }));
    const skips = [...skipped].map(([path, reason]) => ({ path, reason }));
    return makeReport(this.settings.tokenizer, state, list, skips, elapsedMs);
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async refresh(rel: string): Promise<void> {
    if (rel === '' || baseName(rel) === '.gitignore') return this.refreshFolder(parentRel(rel));
    this.dropUnder(rel);
    const parent = parentRel(rel);
    const rules = await this.rulesInside(parent);
    if (!rules) return;
    const abs = joinPath(this.root, parent);
    let entries: [string, number][];
    try {
      entries = await this.fs.readDirectory(abs);
    } catch {
      return;
    }
    const ctx = scanContext(this.fs, this.root, this.settings, this.cache);
    const name = baseName(rel);
    const entry = entries.filter(([n]) => n === name);
    const [decision] = classifyEntries(entry, (n, isDirectory) => rules.ignores(joinPath(abs, n), isDirectory) || ctx.excluded(joinRel(parent, n), isDirectory));
    if (!decision) return;
    if (decision.action === 'enter') return this.refreshFolder(rel);
    if (decision.action === 'skip') {
      this.skipped.set(rel, decision.reason);
      return;
    }
    await this.countInto([rel]);
  }

  /** Re-walks the folder `dir` (root-relative) with the rules in force there. */
  private async refreshFolder(dir: string): Promise<void> {
    if (dir === '') {
      this.files.clear();
      this.skipped.clear();
    } else {
      this.dropUnder(dir);
    }
    const rules = dir === '' ? await this.rulesAbove() : await this.rulesInside(parentRel(dir));
    if (!rules) return;
    if (dir !== '' && !(await this.walkedFolder(dir, rules))) return;
    const ctx = scanContext(this.fs, this.root, this.settings, this.cache);
    const listing: Listing = { files: [], skipped: [] };
    await listTree(ctx, dir, rules, listing);
    for (const s of listing.skipped) this.skipped.set(s.path, s.reason);
    await this.countInto(listing.files);
  }

  private async countInto(paths: string[]): Promise<void> {
    const ctx = scanContext(this.fs, this.root, this.settings, this.cache);
    await countFiles(ctx, paths, (outcome) => {
      if ('file' in outcome) this.files.set(outcome.path, { file: outcome.file, key: outcome.key });
      else this.skipped.set(outcome.path, outcome.reason);
    });
    if (this.cache.size > 2 * this.files.size + 1000) this.pruneCache();
  }

  /** Whether the walk enters `dir`, given the rules of its parent's contents. */
  private async walkedFolder(dir: string, parentRules: IgnoreRules): Promise<boolean> {
    const name = baseName(dir);
    if (NEVER_ENTERED.has(name)) return false;
    const abs = joinPath(this.root, dir);
    const ctx = scanContext(this.fs, this.root, this.settings, undefined);
    if (parentRules.ignores(abs, true) || ctx.excluded(dir, true)) return false;
    try {
      // A link to a folder is not followed.
      return (await this.fs.stat(abs)).type === FileKind.Directory;
    } catch {
      return false;
    }
  }

  /** The rules for the entries inside `dir`, or undefined when the walk does not reach into it. */
  private async rulesInside(dir: string): Promise<IgnoreRules | undefined> {
    let rules = await this.rulesAbove();
    let at = '';
    for (const name of dir === '' ? [] : dir.split('/')) {
      rules = await withGitignoreOf(this.fs, joinPath(this.root, at), rules);
      at = joinRel(at, name);
      if (!(await this.walkedFolder(at, rules))) return undefined;
    }
    return withGitignoreOf(this.fs, joinPath(this.root, at), rules);
  }

  private rulesAbove(): Promise<IgnoreRules> {
    this.above ??= this.settings.gitignoreAbove === false ? Promise.resolve(IgnoreRules.none) : gitignoreAbove(this.fs, this.root);
    return this.above;
  }

  private dropUnder(rel: string): void {
    const prefix = `${rel}/`;
    for (const map of [this.files, this.skipped]) {
      for (const path of map.keys()) if (path === rel || path.startsWith(prefix)) map.delete(path);
    }
  }

  /** Keeps the counts of content still present, so the cache does not grow with every edit. */
  private pruneCache(): void {
    const live = new Set<string>();
    for (const e of this.files.values()) if (e.key !== undefined) live.add(e.key);
    for (const key of this.cache.keys()) if (!live.has(key)) this.cache.delete(key);
  }
}

/** A root-relative path without leading './' or '/', trailing '/' or empty segments. */
function normalize(path: string): string {
  return path
    .split(/\/+/)
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

const baseName = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1);
const parentRel = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

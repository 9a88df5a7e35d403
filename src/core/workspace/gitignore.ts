/**
 * .gitignore rules as git applies them: each file's patterns are relative to its folder, and a deeper
 * file overrides a shallower one (its negations re-include what a parent folder's file excluded).
 * Paths are '/'-separated; the rules themselves read no files, so the CLI's synchronous walk and the
 * workspace scan over `WorkspaceFs` share them.
 */
import ignore from 'ignore';
import { joinPath, parentPath, type WorkspaceFs } from './fs';

interface Level {
  /** The folder holding the .gitignore: its patterns are relative to it. */
  base: string;
  rules: ignore.Ignore;
}

export class IgnoreRules {
  private readonly levels: readonly Level[];

  private constructor(levels: readonly Level[]) {
    this.levels = levels;
  }

  static readonly none = new IgnoreRules([]);

  /** These rules plus `patterns` (the text of a .gitignore) relative to `dir`. */
  withPatterns(dir: string, patterns: string): IgnoreRules {
    // Git skips a UTF-8 byte order mark at the start of the file.
    const text = patterns.charCodeAt(0) === 0xfeff ? patterns.slice(1) : patterns;
    if (!/\S/.test(text)) return this;
    return new IgnoreRules([...this.levels, { base: dir, rules: ignore().add(text) }]);
  }

  /** Whether `path` (under every level's folder, '/'-separated) is excluded. */
  ignores(path: string, isDirectory: boolean): boolean {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const { base, rules } = this.levels[i];
      const rel = relativeBelow(base, path);
      if (rel === undefined) continue;
      // The deepest file with a matching pattern decides, whether it excludes or re-includes.
      const result = rules.test(isDirectory ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}

/** `path` relative to `base` when it lies strictly below it, else undefined. */
function relativeBelow(base: string, path: string): string | undefined {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return path.length > prefix.length && path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

/** `rules` plus those of `dir/.gitignore`, if there is one that can be read. */
export async function withGitignoreOf(fs: WorkspaceFs, dir: string, rules: IgnoreRules): Promise<IgnoreRules> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(joinPath(dir, '.gitignore'));
  } catch {
    return rules;
  }
  return rules.withPatterns(dir, new TextDecoder().decode(bytes));
}

/**
 * The rules in force for the contents of `dir` from the .gitignore files of its parent folders, up to
 * the repository root (the nearest folder with a `.git`); none outside a repository. A folder scanned
 * explicitly is never ignored: when the parents' rules exclude `dir` itself, they are dropped.
 */
export async function gitignoreAbove(fs: WorkspaceFs, dir: string): Promise<IgnoreRules> {
  const parents: string[] = [];
  let root: string | undefined;
  for (let d = dir; ; d = parentPath(d)) {
    if (await exists(fs, joinPath(d, '.git'))) {
      root = d;
      break;
    }
    if (parentPath(d) === d) break;
    parents.push(parentPath(d));
  }
  if (root === undefined || root === dir) return IgnoreRules.none;
  let rules = IgnoreRules.none;
  for (const parent of parents.reverse()) rules = await withGitignoreOf(fs, parent, rules);
  return rules.ignores(dir, true) ? IgnoreRules.none : rules;
}

async function exists(fs: WorkspaceFs, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A user's exclude patterns, in .gitignore syntax relative to the scan root: `dist/`, `*.min.js`,
 * `**\/*.snap`, `docs/**`, and `!keep.min.js` to take one back. Glob-style patterns such as
 * `**\/*.min.js` and `dist/**` mean the same as they would as globs.
 */
export function excludeMatcher(patterns: readonly string[]): (rel: string, isDirectory: boolean) => boolean {
  const lines = patterns.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
  if (lines.length === 0) return () => false;
  const rules = ignore().add(lines);
  return (rel, isDirectory) => rules.ignores(isDirectory ? `${rel}/` : rel);
}

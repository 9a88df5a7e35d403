/**
 * .gitignore rules as git applies them: each file's patterns are relative to its folder, and a deeper
 * file overrides a shallower one (its negations re-include what a parent folder's file excluded).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import ignore from 'ignore';

interface Level {
  /** The folder holding the .gitignore: its patterns are relative to it. */
  base: string;
  rules: ignore.Ignore;
}

export class GitignoreRules {
  private readonly levels: readonly Level[];

  private constructor(levels: readonly Level[]) {
    this.levels = levels;
  }

  static readonly none = new GitignoreRules([]);

  /**
   * The rules in force for the contents of `dir` from the .gitignore files of its parent folders, up
   * to the repository root (the nearest folder with a `.git`); none outside a repository. A folder
   * named explicitly is never ignored: when the parents' rules exclude `dir` itself (counting inside
   * an ignored build folder), they are dropped.
   */
  static forParentsOf(dir: string): GitignoreRules {
    const parents: string[] = [];
    let root: string | undefined;
    for (let d = dir; ; d = dirname(d)) {
      if (existsSync(join(d, '.git'))) {
        root = d;
        break;
      }
      if (dirname(d) === d) break;
      parents.push(dirname(d));
    }
    if (root === undefined || root === dir) return GitignoreRules.none;
    let rules = GitignoreRules.none;
    for (const parent of parents.reverse()) rules = rules.withFile(parent);
    return rules.ignores(dir, true) ? GitignoreRules.none : rules;
  }

  /** These rules plus those of `dir/.gitignore`, if there is one that can be read. */
  withFile(dir: string): GitignoreRules {
    let text: string;
    try {
      text = readFileSync(join(dir, '.gitignore'), 'utf8');
    } catch {
      return this;
    }
    return this.withPatterns(dir, text);
  }

  /** These rules plus `patterns` (the text of a .gitignore) relative to `dir`. */
  withPatterns(dir: string, patterns: string): GitignoreRules {
    if (!/\S/.test(patterns)) return this;
    return new GitignoreRules([...this.levels, { base: dir, rules: ignore().add(patterns) }]);
  }

  /** Whether `path` (absolute, under every level's folder) is excluded. */
  ignores(path: string, isDirectory: boolean): boolean {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const { base, rules } = this.levels[i];
      let rel = relative(base, path);
      if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue;
      if (sep !== '/') rel = rel.split(sep).join('/');
      // The deepest file with a matching pattern decides, whether it excludes or re-includes.
      const result = rules.test(isDirectory ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}

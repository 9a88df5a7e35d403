/**
 * The CLI's synchronous view of the shared .gitignore rules (`src/core/workspace/gitignore.ts`): it
 * reads the .gitignore files with Node's `fs` and hands the rules '/'-separated paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { IgnoreRules } from '../core/workspace/gitignore';

const slashes = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

export class GitignoreRules {
  private constructor(private readonly rules: IgnoreRules) {}

  static readonly none = new GitignoreRules(IgnoreRules.none);

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
    const next = this.rules.withPatterns(slashes(dir), patterns);
    return next === this.rules ? this : new GitignoreRules(next);
  }

  /** Whether `path` (absolute, under every level's folder) is excluded. */
  ignores(path: string, isDirectory: boolean): boolean {
    return this.rules.ignores(slashes(path), isDirectory);
  }
}

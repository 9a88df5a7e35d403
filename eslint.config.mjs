import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs'];

// ESLint's own recommended rules (what @eslint/js ships as `configs.recommended`), read from ESLint itself.
const eslintRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);
// Scripts and benchmarks run in Node: its globals are this process's globals (plus `gc` under --expose-gc).
// `_`-prefixed names are deliberately unused (parameters, loop variables, skipped array slots, ignored errors).
const unusedVars = { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' };
const nodeGlobals = Object.fromEntries(
  [...Object.getOwnPropertyNames(globalThis), 'gc'].map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['dist/**', 'out/**', 'node_modules/**', '.bench/**', '.cache/**', '*.vsix']),
  { files: [...TS_FILES, ...JS_FILES], rules: eslintRecommended },
  // TypeScript: typescript-eslint's recommended (syntactic, no type information needed).
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: config.files ?? TS_FILES })),
  {
    files: TS_FILES,
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Plain JavaScript (scripts, benchmarks, this file): ESLint's parser and rules only.
  {
    files: JS_FILES,
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: {
      'no-unused-vars': ['error', unusedVars],
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  {
    // The core runs in plain Node and in browsers: it must not know VS Code.
    files: ['src/core/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'], patterns: ['**/vscode/**'] }],
    },
  },
);

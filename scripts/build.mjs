// Builds the bundles (extension, CLI, core library) and, when they are missing, the vocabulary files.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
if (!existsSync('dist/data/models.json') || !existsSync('dist/data/templates.json') || process.argv.includes('--data')) {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/buildData.ts'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/buildCatalog.mjs'], { stdio: 'inherit' });
}
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: production, sourcemap: !production, logLevel: 'warning' };
await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['src/core/index.ts'], outfile: 'dist/core.js' }),
  // The embedded engine's child process; node-llama-cpp is installed on demand and imported at run time from its folder.
  build({ ...common, entryPoints: ['src/core/engine/host.ts'], outfile: 'dist/engine.js', external: ['node-llama-cpp'] }),
  // VS Code for the Web: no Node built-ins (the build fails if the web extension reaches one).
  build({ ...common, platform: 'browser', entryPoints: ['src/web/extension.ts'], outfile: 'dist/web/extension.js', external: ['vscode'] }),
  // The budget panel's page, with its stylesheet and the codicon font next to it (the webview may load only dist/webview).
  build({ ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: ['webview/main.ts'], outfile: 'dist/webview/panel.js' }),
]);
mkdirSync('dist/webview', { recursive: true });
for (const [from, to] of [
  ['webview/panel.css', 'panel.css'],
  ['node_modules/@vscode/codicons/dist/codicon.css', 'codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'codicon.ttf'],
]) {
  copyFileSync(from, `dist/webview/${to}`);
}

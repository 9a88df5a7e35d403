/** Commands around the model backend: connect, the API key (SecretStorage only), a GGUF model, the engine. */
import * as vscode from 'vscode';
import { updateUserSetting } from '../config';
import type { Log } from '../log';
import { API_KEY_SECRET, BackendManager } from './backendManager';
import { FimCompletionProvider } from '../fim/inlineCompletion';
import { showNextCharacters } from '../fim/nextCharacters';
import { installEngineCommand } from './engineInstall';
import { TEXT_DOCUMENTS } from '../documents';
import { SurpriseView } from '../surprise/surpriseView';

export function registerBackend(context: vscode.ExtensionContext, log: Log): vscode.Disposable[] {
  const manager = new BackendManager(context, log);
  const completions = new FimCompletionProvider(manager, log);
  const surprise = new SurpriseView(manager, completions, log);
  // The palette shows these commands only where backends exist (not in a web-worker extension host).
  void vscode.commands.executeCommand('setContext', 'tokenwise.backends', true);
  return [
    manager,
    completions,
    surprise,
    vscode.languages.registerHoverProvider(TEXT_DOCUMENTS, surprise),
    vscode.commands.registerCommand('tokenwise.toggleSurprise', () => surprise.toggle()),
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, completions),
    vscode.commands.registerCommand('tokenwise.connectBackend', () => manager.connect(true)),
    vscode.commands.registerCommand('tokenwise.nextCharacters', () =>
      showNextCharacters(completions).catch((e: unknown) => log.reportOnce(`next:${String(e)}`, `cannot compute the next characters: ${e instanceof Error ? e.message : String(e)}`, e)),
    ),
    vscode.commands.registerCommand('tokenwise.setBackendApiKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'Tokenwise: the model backend\'s API key',
        prompt: 'Kept in VS Code\'s secret storage, never in settings. Leave empty to remove it.',
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      if (key) await context.secrets.store(API_KEY_SECRET, key);
      else await context.secrets.delete(API_KEY_SECRET);
    }),
    vscode.commands.registerCommand('tokenwise.chooseGgufModel', async () => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('Tokenwise: a model file can only be chosen in a trusted workspace.');
        return;
      }
      const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GGUF model': ['gguf'] }, title: 'Tokenwise: a GGUF model for the embedded engine' });
      if (!files?.[0]) return;
      // User settings: a model file is this machine's, not the workspace's.
      await updateUserSetting('backend.modelPath', files[0].fsPath);
      await updateUserSetting('backend.kind', 'embedded');
    }),
    vscode.commands.registerCommand('tokenwise.installEngine', async () => {
      if (await installEngineCommand(context, log)) await manager.connect(true);
    }),
  ];
}

import * as vscode from 'vscode';
import { registerTokenCommands } from './vscode/commands';
import { TokenDecorator } from './vscode/decorations';
import { DocumentStore } from './vscode/documentStore';
import { TokenHoverProvider } from './vscode/hover';
import { Log } from './vscode/log';
import { selectModel, selectTokenizer } from './vscode/picker';
import { StatusBar } from './vscode/statusBar';
import { SECTION } from './vscode/config';

/** Composition root: every feature registers its own disposables. Nothing is parsed until a document needs it. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  try {
    const store = new DocumentStore(log);
    context.subscriptions.push(
      log,
      store,
      new StatusBar(store),
      new TokenDecorator(store),
      vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }], new TokenHoverProvider(store)),
      vscode.commands.registerCommand('tokenwise.selectTokenizer', selectTokenizer),
      vscode.commands.registerCommand('tokenwise.selectModel', selectModel),
      vscode.commands.registerCommand('tokenwise.showTokenizers', selectTokenizer),
      vscode.commands.registerCommand('tokenwise.showLog', () => log.show()),
      ...registerTokenCommands(store),
      vscode.commands.registerCommand('tokenwise.toggleHighlight', async () => {
        const config = vscode.workspace.getConfiguration(SECTION);
        await config.update('highlight.enabled', !config.get('highlight.enabled', false), vscode.ConfigurationTarget.Global);
      }),
    );
  } catch (error) {
    // VS Code shows nothing when activation fails: say it, then fail.
    log.error('activation failed', error);
    void vscode.window.showErrorMessage(`Tokenwise failed to start: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

export function deactivate(): void {}

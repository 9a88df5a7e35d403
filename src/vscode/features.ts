/** Every editor feature, wired once for both the desktop and the web extension. */
import * as vscode from 'vscode';
import { registerTokenCommands } from './commands';
import { setting, updateWhereSet } from './config';
import { TokenDecorator } from './decorations';
import { DocumentStore } from './documentStore';
import { TEXT_DOCUMENTS } from './documents';
import { TokenHoverProvider } from './hover';
import { Log } from './log';
import { BudgetPanel } from './panel/budgetPanel';
import { selectModel, selectTokenizer } from './picker';
import { StatusBar } from './statusBar';
import { TOKEN_TOOL, TokenTool } from './tokenTool';

/** Registers the features into `context.subscriptions`; shows and rethrows an activation failure. Returns the log. */
export function activateFeatures(context: vscode.ExtensionContext, host: 'desktop' | 'web'): Log {
  const log = new Log();
  context.subscriptions.push(log);
  log.info(`Tokenwise ${String(context.extension.packageJSON.version)} started (${host} extension host)`);
  try {
    const store = new DocumentStore(log);
    context.subscriptions.push(
      store,
      new StatusBar(store),
      new TokenDecorator(store),
      new BudgetPanel(context, store, log),
      vscode.languages.registerHoverProvider(TEXT_DOCUMENTS, new TokenHoverProvider(store)),
      vscode.commands.registerCommand('tokenwise.selectTokenizer', selectTokenizer),
      vscode.commands.registerCommand('tokenwise.selectModel', selectModel),
      vscode.commands.registerCommand('tokenwise.showTokenizers', selectTokenizer),
      vscode.commands.registerCommand('tokenwise.showLog', () => log.show()),
      vscode.commands.registerCommand('tokenwise.toggleHighlight', async () => {
        const document = vscode.window.activeTextEditor?.document;
        await updateWhereSet('highlight.enabled', !setting('highlight.enabled', document), document);
      }),
      ...registerTokenCommands(store),
      vscode.lm.registerTool(TOKEN_TOOL, new TokenTool(store)),
    );
  } catch (error) {
    // VS Code shows nothing when activation fails: say it, then fail.
    log.error('activation failed', error);
    void vscode.window.showErrorMessage(`Tokenwise failed to start: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return log;
}

/** "Tokenwise: Install the Embedded Engine": node-llama-cpp into the extension's own storage, with progress. */
import * as vscode from 'vscode';
import { ENGINE_PACKAGE, ENGINE_VERSION, installEngine, type EngineGpuVariant } from '../../core/engine/install';
import { setting } from '../config';
import type { Log } from '../log';

/** Where the engine lives: the extension's global storage, outside the .vsix. */
export function engineDir(context: vscode.ExtensionContext): string {
  return vscode.Uri.joinPath(context.globalStorageUri, 'engine').fsPath;
}

export async function installEngineCommand(context: vscode.ExtensionContext, log: Log): Promise<boolean> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Tokenwise: the embedded engine can only be installed in a trusted workspace.');
    return false;
  }
  const gpu = setting('backend.gpu');
  const variant: EngineGpuVariant = gpu === 'cuda' || gpu === 'vulkan' ? gpu : false;
  const dir = engineDir(context);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tokenwise: installing ${ENGINE_PACKAGE} ${ENGINE_VERSION}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        await installEngine(dir, {
          gpu: variant,
          signal: controller.signal,
          onProgress: (line) => {
            log.info(`engine install: ${line}`);
            progress.report({ message: line.slice(0, 120) });
          },
        });
      },
    );
  } catch (e) {
    log.reportOnce('engine-install', `the embedded engine could not be installed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, e);
    return false;
  }
  void vscode.window.showInformationMessage(`Tokenwise: the embedded engine is installed (${dir}).`);
  return true;
}

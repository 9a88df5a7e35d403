import * as vscode from 'vscode';

/** Tokenwise's one log channel, and notifications that say a thing once, with a button to open the log. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Tokenwise', { log: true });
  private readonly shown = new Set<string>();

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string, error?: unknown): void {
    this.channel.error(error instanceof Error ? `${message}: ${error.stack ?? error.message}` : message);
  }

  /** Logs an error and, the first time this key is seen, tells the user with an "Open Log" button. */
  reportOnce(key: string, message: string, error?: unknown): void {
    this.error(message, error);
    if (this.shown.has(key)) return;
    this.shown.add(key);
    void vscode.window.showErrorMessage(`Tokenwise: ${message}`, 'Open Log').then((choice) => {
      if (choice) this.channel.show();
    });
  }

  show(): void {
    this.channel.show();
  }

  dispose(): void {
    this.channel.dispose();
  }
}

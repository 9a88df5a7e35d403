/* global require, module */
// A read-only file system under `vscode-vfs`, the scheme of VS Code for the Web on a GitHub repository, with one file.
const vscode = require('vscode');

// Plain text: a language service for the file's type would try to reach GitHub. The test counts the same text.
const TEXT = require('./notes.json').text;
const FILE = vscode.Uri.parse('vscode-vfs://github/tokenwise/sample/notes.txt');

function activate(context) {
  const bytes = new TextEncoder().encode(TEXT);
  const stat = (uri) => {
    if (uri.path === FILE.path) return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: bytes.length };
    if (FILE.path.startsWith(uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  };
  const readOnly = () => {
    throw vscode.FileSystemError.NoPermissions('read-only');
  };
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(
      'vscode-vfs',
      {
        onDidChangeFile: new vscode.EventEmitter().event,
        watch: () => new vscode.Disposable(() => {}),
        stat,
        readDirectory: () => [[FILE.path.split('/').pop(), vscode.FileType.File]],
        readFile: (uri) => {
          stat(uri);
          return bytes;
        },
        createDirectory: readOnly,
        writeFile: readOnly,
        delete: readOnly,
        rename: readOnly,
      },
      { isReadonly: true },
    ),
    vscode.commands.registerCommand('tokenwiseTest.openVirtualFile', async () => vscode.window.showTextDocument(await vscode.workspace.openTextDocument(FILE))),
  );
}

module.exports = { activate };

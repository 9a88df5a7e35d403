/**
 * The text of pinned files and folders: a folder stands for the files under it (its .gitignore files and
 * `tokenwise.workspace.exclude` applied); an open document's unsaved text wins over the file on disk.
 */
import * as vscode from 'vscode';
import { decodeText, isBinary } from '../../core/workspace/binary';
import { FileKind } from '../../core/workspace/fs';
import { listFiles } from '../../core/workspace/listFiles';
import { BINARY, NOT_REGULAR, tooLarge } from '../../core/workspace/skipReasons';
import { setting } from '../config';
import { resolveWorkspacePath } from './panelChoices';
import { vscodeFs } from './vscodeFs';

export interface PinnedText {
  label: string;
  text: string;
  path: string;
}

export interface PinnedFiles {
  files: PinnedText[];
  skipped: { path: string; reason: string }[];
}

export async function expandPinned(paths: readonly string[]): Promise<PinnedFiles> {
  const maxFileSize = setting('workspace.maxFileSize');
  const exclude = setting('workspace.exclude');
  const out: PinnedFiles = { files: [], skipped: [] };
  const seen = new Set<string>();
  const add = async (uri: vscode.Uri, path: string): Promise<void> => {
    if (seen.has(uri.toString())) return;
    seen.add(uri.toString());
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) {
      out.files.push({ label: path, text: open.getText(), path });
      return;
    }
    const stat = await vscode.workspace.fs.stat(uri);
    // A FIFO or a device would never end: only regular files are read.
    if (!(stat.type & FileKind.File)) {
      out.skipped.push({ path, reason: NOT_REGULAR });
      return;
    }
    if (stat.size > maxFileSize) {
      out.skipped.push({ path, reason: tooLarge(stat.size, maxFileSize) });
      return;
    }
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (isBinary(bytes)) out.skipped.push({ path, reason: BINARY });
    else out.files.push({ label: path, text: decodeText(bytes), path });
  };
  for (const path of paths) {
    const uri = resolveWorkspacePath(path);
    try {
      if (!uri) throw new Error('no workspace folder holds it');
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & FileKind.Directory) {
        const listing = await listFiles(vscodeFs(uri), uri.path, { exclude });
        for (const skip of listing.skipped) out.skipped.push({ path: `${path}/${skip.path}`, reason: skip.reason });
        for (const rel of listing.files) await add(vscode.Uri.joinPath(uri, ...rel.split('/')), `${path}/${rel}`);
      } else {
        await add(uri, path);
      }
    } catch (e) {
      out.skipped.push({ path, reason: e instanceof vscode.FileSystemError && e.code === 'FileNotFound' ? 'not found' : e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** The workspace view's data: tokens per file and per folder, scanned in the background. */

export interface FileTokens {
  /** Workspace-relative, '/'-separated. */
  path: string;
  characters: number;
  bytes: number;
  tokens: number;
}

export interface SkippedPath {
  path: string;
  reason: string;
}

export interface WorkspaceReport {
  tokenizer: string;
  exact: boolean;
  state: 'scanning' | 'done' | 'cancelled';
  files: FileTokens[];
  skipped: SkippedPath[];
  total: { files: number; characters: number; bytes: number; tokens: number };
  elapsedMs: number;
}

/** A folder with the sums of everything under it; children sorted by tokens, largest first. */
export interface FolderNode {
  name: string;
  path: string;
  characters: number;
  bytes: number;
  tokens: number;
  files: number;
  folders: FolderNode[];
  leaves: FileTokens[];
}

/**
 * Where a toggle must write so that it takes effect: the most specific level that sets the value now
 * (a workspace folder's setting wins over the workspace's, which wins over the user's), else the user's.
 */
export type SettingLevel = 'workspaceFolder' | 'workspace' | 'global';

export function levelToWrite(inspected: { workspaceFolderValue?: unknown; workspaceValue?: unknown } | undefined): SettingLevel {
  if (inspected?.workspaceFolderValue !== undefined) return 'workspaceFolder';
  if (inspected?.workspaceValue !== undefined) return 'workspace';
  return 'global';
}

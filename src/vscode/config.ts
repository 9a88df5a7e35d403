/** Tokenwise's settings, read in one place: typed, with the manifest's defaults, per document where they can differ by language. */
import * as vscode from 'vscode';
import { levelToWrite } from './settingTarget';
import { FEATURE_SETTINGS, SETTING_DEFAULTS, type Feature, type SettingKey, type SettingValue } from './settingsSchema';

const SECTION = 'tokenwise';

/** One setting's value for `scope` (a document, for settings a language can override). */
export function setting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
  return vscode.workspace.getConfiguration(SECTION, scope).get<SettingValue<K>>(key, SETTING_DEFAULTS[key]);
}

/** Fires `listener` when a setting `feature` reads changes, and only then. */
export function onDidChangeSettings(feature: Feature, listener: () => void): vscode.Disposable {
  const keys = FEATURE_SETTINGS[feature].map((key) => `${SECTION}.${key}`);
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (keys.some((key) => e.affectsConfiguration(key))) listener();
  });
}

/** Writes `key` where it takes effect: the level that sets it now (a workspace value overrides a user one), else the user settings. */
export function updateWhereSet<K extends SettingKey>(key: K, value: SettingValue<K> | undefined, scope?: vscode.ConfigurationScope): Thenable<void> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const level = levelToWrite(config.inspect(key));
  const target = level === 'workspaceFolder' ? vscode.ConfigurationTarget.WorkspaceFolder : level === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  return config.update(key, value, target);
}

/** Writes `key` at `target`; `forLanguage`: as an override for the language of `scope`, a document. */
export function updateSetting<K extends SettingKey>(key: K, value: SettingValue<K> | undefined, target: vscode.ConfigurationTarget, scope?: vscode.TextDocument, forLanguage = false): Thenable<void> {
  return vscode.workspace.getConfiguration(SECTION, forLanguage ? scope : undefined).update(key, value, target, forLanguage);
}

/** Writes `key` in the user settings (what is this machine's, not the workspace's: a model file). */
export function updateUserSetting<K extends SettingKey>(key: K, value: SettingValue<K> | undefined): Thenable<void> {
  return vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

/** A setting that names a file is ignored in an untrusted workspace: Tokenwise reads no file a workspace names. */
export function trustedPath(value: string, namesFile: (value: string) => boolean): string {
  return vscode.workspace.isTrusted || !namesFile(value) ? value : '';
}

/** The settings counting and budgets read, as one snapshot for a document. */
export interface Settings {
  /** Model whose context window the budget uses. */
  model: string;
  /** Tokenizer id or path; empty means the model's own. */
  tokenizer: string;
  /** Output tokens to reserve; -1 means the model's output limit, at most 8,192. */
  reservedOutput: number;
  warningThreshold: number;
  errorThreshold: number;
  /** Documents longer than this (UTF-16 units) are counted in the background. */
  backgroundCountAbove: number;
  /** Documents longer than this are not tokenized at all. */
  maxDocumentLength: number;
  models: SettingValue<'models'>;
  highlight: boolean;
  showWhitespace: boolean;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  return {
    model: setting('model', scope),
    tokenizer: setting('tokenizer', scope),
    reservedOutput: setting('budget.reservedOutput', scope),
    warningThreshold: setting('budget.warningThreshold', scope),
    errorThreshold: setting('budget.errorThreshold', scope),
    backgroundCountAbove: setting('backgroundCountAbove', scope),
    maxDocumentLength: setting('maxDocumentLength', scope),
    models: setting('models', scope),
    highlight: setting('highlight.enabled', scope),
    showWhitespace: setting('highlight.whitespace', scope),
  };
}

/**
 * Every `tokenwise.*` setting with its default, as the manifest declares it (a unit test holds the two
 * equal), and which features each one feeds. Plain data: no `vscode`, so that tests read it in Node.
 */
import type { ModelOverride } from '../core/budget/modelCatalog';

export const SETTING_DEFAULTS = {
  model: 'gpt-4o',
  tokenizer: '',
  models: [] as ModelOverride[],
  'budget.reservedOutput': -1,
  'budget.warningThreshold': 0.8,
  'budget.errorThreshold': 1,
  backgroundCountAbove: 2_000_000,
  maxDocumentLength: 50_000_000,
  'highlight.enabled': false,
  'highlight.whitespace': false,
  pinnedTokenizers: ['o200k_base', 'cl100k_base', 'llama3', 'qwen3'],
  'workspace.exclude': [] as string[],
  'workspace.maxFileSize': 10_485_760,
  'backend.kind': 'none' as 'none' | 'llama-server' | 'openai' | 'ollama' | 'embedded',
  'backend.url': 'http://127.0.0.1:8080',
  'backend.allowRemote': false,
  'backend.model': '',
  'backend.modelPath': '',
  'backend.gpu': 'auto' as 'auto' | 'cuda' | 'vulkan' | 'metal' | 'cpu',
  'backend.timeoutMs': 30_000,
  'completion.enabled': true,
  'completion.strategy': 'exact' as 'exact' | 'heal' | 'plain',
  'completion.debounceMs': 150,
  'completion.maxTokens': 64,
  'completion.template': '',
  'completion.vocabulary': '',
};

export type SettingKey = keyof typeof SETTING_DEFAULTS;
export type SettingValue<K extends SettingKey> = (typeof SETTING_DEFAULTS)[K];

/** What must be redone when a setting changes: a feature rebuilds only for the settings it reads. */
export type Feature = 'counting' | 'budget' | 'highlight' | 'panel' | 'backend' | 'completion';

const COUNTING: SettingKey[] = ['model', 'tokenizer', 'models', 'backgroundCountAbove', 'maxDocumentLength'];
const BUDGET: SettingKey[] = ['model', 'tokenizer', 'models', 'budget.reservedOutput', 'budget.warningThreshold', 'budget.errorThreshold'];

export const FEATURE_SETTINGS: Record<Feature, SettingKey[]> = {
  counting: COUNTING,
  budget: BUDGET,
  highlight: ['highlight.enabled', 'highlight.whitespace'],
  panel: [...BUDGET, 'pinnedTokenizers', 'workspace.exclude', 'workspace.maxFileSize'],
  backend: ['backend.kind', 'backend.url', 'backend.allowRemote', 'backend.model', 'backend.modelPath', 'backend.gpu', 'backend.timeoutMs'],
  completion: ['completion.enabled', 'completion.strategy', 'completion.debounceMs', 'completion.maxTokens', 'completion.template', 'completion.vocabulary'],
};

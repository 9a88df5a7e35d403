/**
 * What the FIM commands (`complete`, `next-bytes`) share: their options, the document split at the cursor,
 * the backend (a `.gguf` file runs the embedded engine; a URL is a server) and the model's own tokenizer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createBackend, type BackendSettings } from '../core/backends/create';
import { EmbeddedBackend } from '../core/backends/embedded';
import type { BackendKind, ConnectResult, ModelBackend } from '../core/backends/types';
import { engineInstalled } from '../core/engine/install';
import type { FimTarget } from '../core/fim/complete';
import { decodeText } from '../core/workspace/binary';
import { openFimSession } from '../core/fim/session';
import { FIM_TEMPLATES, type FimTemplateId } from '../core/fim/templates';
import { CliError, UsageError, describeErrno, oneLine } from './errors';
import { synopsis } from './usage';

/** Options both FIM commands take (for `parseCommandArgs`). */
export const FIM_OPTIONS = {
  backend: { type: 'string' },
  kind: { type: 'string' },
  tokenizer: { type: 'string', short: 't' },
  model: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  file: { type: 'string' },
  cursor: { type: 'string' },
  template: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface FimValues {
  backend?: string;
  kind?: string;
  tokenizer?: string;
  model?: string;
  'allow-remote'?: boolean;
  file?: string;
  cursor?: string;
  template?: string;
}

const KINDS: readonly BackendKind[] = ['llama-server', 'openai', 'ollama', 'embedded'];

/** Reads the document, starts and connects the backend, finds the model's tokenizer, and picks the template. */
export async function openFim(command: string, values: FimValues): Promise<FimTarget> {
  if (!values.cursor && values.backend && values.file) throw new UsageError('--cursor LINE:COL is required', synopsis(command));
  if (values.template !== undefined && !(values.template in FIM_TEMPLATES)) {
    throw new UsageError(`unknown template '${values.template}'; known: ${Object.keys(FIM_TEMPLATES).join(', ')}`, synopsis(command));
  }
  const model = await openModel(command, values, (text) => cursorOffset(text, values.cursor ?? '', command));
  const { backend, connected, text } = model;
  try {
    const offset = model.checked;
    const session = await openFimSession({ backend, connected, vocabulary: values.tokenizer, setting: '--tokenizer', where: model.where, template: values.template as FimTemplateId | undefined });
    if (!session.template) throw new CliError(`no FIM template for ${connected.info.name}: ${session.templateReason} (choose one with --template)`);
    return { backend, connected, tokenizer: session.tokenizer, template: session.template, prefix: text.slice(0, offset), suffix: text.slice(offset) };
  } catch (e) {
    backend.dispose();
    throw e instanceof CliError ? e : new CliError(oneLine(e instanceof Error ? e.message : String(e)));
  }
}

export interface OpenModel<T> {
  backend: ModelBackend;
  connected: ConnectResult;
  /** The model file or the server's address, as errors name it. */
  where: string;
  text: string;
  /** What `check` found in the text before the backend was started. */
  checked: T;
}

/**
 * Reads `--file` and checks it (`check` throws a usage error before anything starts), then starts and
 * connects the backend `--backend` names: a .gguf file runs the embedded engine, a URL is a server.
 */
export async function openModel<T>(command: string, values: FimValues, check: (text: string) => T): Promise<OpenModel<T>> {
  if (!values.backend) throw new UsageError('--backend needs a server URL or a .gguf model file', synopsis(command));
  if (!values.file) throw new UsageError('--file is required', synopsis(command));
  if (values.kind !== undefined && !KINDS.includes(values.kind as BackendKind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`, synopsis(command));
  const text = readDocument(values.file);
  const checked = check(text);
  const url = /^https?:\/\//i.test(values.backend);
  const kind = (values.kind as BackendKind | undefined) ?? (url ? 'llama-server' : 'embedded');
  if (kind === 'embedded' && url) throw new UsageError('the embedded engine needs a .gguf model file, not a URL', synopsis(command));
  if (kind !== 'embedded' && !url) throw new UsageError(`the ${kind} backend needs an http:// or https:// URL`, synopsis(command));

  const modelPath = kind === 'embedded' ? resolve(values.backend) : undefined;
  if (modelPath && !existsSync(modelPath)) throw new CliError(`no model file at ${modelPath}`);

  const backend = modelPath ? embedded(modelPath) : serverBackend(kind, values);
  try {
    return { backend, connected: await backend.connect(), where: modelPath ?? values.backend, text, checked };
  } catch (e) {
    backend.dispose();
    throw new CliError(oneLine(e instanceof Error ? e.message : String(e)));
  }
}

function readDocument(file: string): string {
  try {
    // As VS Code opens it (a BOM dropped), so that --cursor columns are the editor's.
    return decodeText(readFileSync(file));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${describeErrno(e)}`);
  }
}

/** LINE:COL, both 1-based, COL in characters (code points), as a UTF-16 offset into `text`. */
export function cursorOffset(text: string, cursor: string, command: string): number {
  const match = /^(\d+):(\d+)$/.exec(cursor.trim());
  const line = match ? Number(match[1]) : 0;
  const col = match ? Number(match[2]) : 0;
  if (line < 1 || col < 1) throw new UsageError(`--cursor needs LINE:COL, both from 1, not '${cursor}'`, synopsis(command));
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) throw new CliError(`--cursor ${cursor}: the file has only ${l} lines`);
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const chars = Array.from(text.slice(start, end < 0 ? text.length : end));
  if (col > chars.length + 1) throw new CliError(`--cursor ${cursor}: line ${line} has only ${chars.length} characters`);
  return start + chars.slice(0, col - 1).join('').length;
}

/** The package folder: the one with package.json above this module (dist/ when bundled, src/cli when not). */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function embedded(modelPath: string): ModelBackend {
  const root = packageRoot();
  const installDir = process.env.TOKENWISE_ENGINE_DIR || join(root, '.cache', 'engine');
  if (!engineInstalled(installDir)) {
    throw new CliError(`the embedded engine is not installed in ${installDir}: install it with "node --import tsx scripts/install-engine.ts" (or set TOKENWISE_ENGINE_DIR)`);
  }
  return new EmbeddedBackend({ enginePath: join(root, 'dist', 'engine.js'), installDir, modelPath });
}

function serverBackend(kind: BackendKind, values: FimValues): ModelBackend {
  const settings: BackendSettings = { kind, url: values.backend, model: values.model, allowRemote: values['allow-remote'] ?? false };
  try {
    return createBackend(settings);
  } catch (e) {
    throw new CliError(oneLine(e instanceof Error ? e.message : String(e)));
  }
}


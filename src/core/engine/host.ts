/**
 * The embedded engine's child process (bundled as `dist/engine.js`): node-llama-cpp behind newline-delimited
 * JSON on stdin/stdout. It runs apart from the editor because a malformed model can abort the process.
 * node-llama-cpp is loaded at run time from the install folder named on the command line or in the
 * environment. Requests run one at a time; `cancel` and `tokenize` do not wait in the queue.
 */
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { EngineModel } from './engineModel';
import type { Llama, LlamaModule } from './llamaApi';
import type { EngineMessage, EngineRequest, LoadRequest } from './protocol';
import { ENGINE_DIR_ENV, ENGINE_DIR_FLAG } from './protocol';

// stdout carries the protocol only: anything a library prints goes to stderr.
const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;

function send(message: EngineMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function engineDir(): string {
  const at = process.argv.indexOf(ENGINE_DIR_FLAG);
  const dir = at >= 0 ? process.argv[at + 1] : process.env[ENGINE_DIR_ENV];
  if (!dir) throw new Error(`The engine's install folder is not set (${ENGINE_DIR_FLAG} <dir> or ${ENGINE_DIR_ENV}).`);
  return dir;
}

let lib: Promise<LlamaModule> | undefined;
function llamaModule(): Promise<LlamaModule> {
  lib ??= (async () => {
    const entry = join(engineDir(), 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
    try {
      return (await import(pathToFileURL(entry).href)) as LlamaModule;
    } catch (error) {
      throw new Error(`The model engine is not installed (cannot load ${entry}): ${(error as Error).message}`, { cause: error });
    }
  })();
  return lib;
}

/** llama.cpp's recent warnings and errors: its reason for a failed load is often only there. */
let recentLogs: string[] = [];
function remember(level: string, message: string): void {
  toStderr(`[llama.cpp ${level}] ${message}`);
  if (level === 'error' || level === 'fatal') recentLogs = [...recentLogs, message.trim()].slice(-3);
}

/** One Llama per process and GPU choice: starting it costs about a second. */
const llamas = new Map<string, Promise<Llama>>();
async function llamaFor(gpu: LoadRequest['gpu']): Promise<Llama> {
  const key = String(gpu);
  let llama = llamas.get(key);
  if (!llama) {
    const module = await llamaModule();
    llama = module.getLlama({ gpu, build: 'never', logLevel: 'warn', logger: remember });
    llamas.set(key, llama);
    llama.catch(() => llamas.delete(key));
  }
  return llama;
}

let model: EngineModel | undefined;
let loading: Promise<EngineModel> | undefined;
const cancelled = new Set<number>();
let queue: Promise<unknown> = Promise.resolve();

async function load(request: LoadRequest): Promise<EngineModel> {
  const previous = model;
  model = undefined;
  await previous?.dispose();
  const module = await llamaModule();
  const llama = await llamaFor(request.gpu);
  recentLogs = [];
  const next = await EngineModel.load(module, llama, request).catch((error: Error) => {
    const why = recentLogs.length > 0 ? ` (llama.cpp: ${recentLogs.join('; ')})` : '';
    throw new Error(`Cannot load the model ${basename(request.modelPath)}: ${error.message}${why}`, { cause: error });
  });
  model = next;
  return next;
}

async function loaded(): Promise<EngineModel> {
  if (loading) await loading.catch(() => undefined);
  if (!model) throw new Error('No model is loaded.');
  return model;
}

async function handle(request: Exclude<EngineRequest, { type: 'cancel' }>): Promise<unknown> {
  const isCancelled = () => cancelled.has(request.id);
  switch (request.type) {
    case 'load':
      loading = load(request);
      return (await loading).info;
    case 'tokenize':
      return (await loaded()).tokenize(request.text);
    case 'generate':
      return (await loaded()).generate(request, isCancelled, (token) => send({ type: 'token', id: request.id, token }));
    case 'distributions':
      return (await loaded()).distributions(request.contexts, request.topK, request.want, isCancelled);
  }
}

function answer(request: Exclude<EngineRequest, { type: 'cancel' }>): Promise<void> {
  return handle(request).then(
    (value) => send({ type: 'result', id: request.id, value }),
    (error: unknown) => send({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }),
  ).finally(() => cancelled.delete(request.id));
}

function receive(line: string): void {
  if (!line.trim()) return;
  let request: EngineRequest;
  try {
    request = JSON.parse(line) as EngineRequest;
  } catch {
    toStderr(`Ignored a request that is not JSON: ${line.slice(0, 200)}`);
    return;
  }
  if (request.type === 'cancel') {
    cancelled.add(request.id);
    return;
  }
  if (request.type === 'tokenize') {
    void answer(request);
    return;
  }
  const run = () => (cancelled.has(request.id) ? (send({ type: 'error', id: request.id, message: 'cancelled' }), cancelled.delete(request.id), undefined) : answer(request));
  queue = queue.then(run, run);
}

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', receive);
// The parent is gone: nothing will read our answers.
input.on('close', () => process.exit(0));
send({ type: 'ready', pid: process.pid });

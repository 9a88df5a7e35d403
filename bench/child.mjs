// Runs one worker script in a fresh Node process, so that each library's caches, JIT state and heap
// are its own. The worker answers with IPC messages; the parent may stop it when a call runs too long.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Forks `bench/<script>` with `args` and collects its messages. `onMessage(msg, stop)` sees each one as
 * it comes (`stop()` kills the worker). `idleMs` kills the worker when no message arrives for that long;
 * it is reset by each message, and the result then has `timedOut: true`. `idleMs` may be a function of
 * the last message (undefined before the first), to allow a longer start-up than a single call.
 */
export function runChild(script, args, { onMessage, idleMs = 0 } = {}) {
  return new Promise((resolve) => {
    const messages = [];
    let stderr = '';
    let timedOut = false;
    const child = fork(fileURLToPath(new URL(script, import.meta.url)), args.map(String), {
      execArgv: ['--expose-gc', '--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr.on('data', (d) => (stderr += d));
    let timer;
    const stop = () => child.kill('SIGKILL');
    const arm = (msg) => {
      clearTimeout(timer);
      const ms = typeof idleMs === 'function' ? idleMs(msg) : idleMs;
      if (ms > 0) timer = setTimeout(() => ((timedOut = true), stop()), ms);
    };
    arm(undefined);
    child.on('message', (msg) => {
      messages.push(msg);
      arm(msg);
      onMessage?.(msg, stop);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ messages, code, signal, timedOut, stderr: stderr.trim() });
    });
  });
}

/** The error text a failed worker left, shortened for a table cell. */
export function failure(result) {
  const last = result.stderr.split('\n').filter((l) => /Error|error/.test(l)).pop() ?? `exit ${result.code ?? result.signal}`;
  return last.length > 120 ? `${last.slice(0, 117)}...` : last;
}

/**
 * Forks `bench/<script>` as a long-lived worker that answers requests: `request(msg)` sends a message
 * and resolves with the worker's next one (or rejects when the worker dies or stays silent `idleMs`).
 */
export function startWorker(script, args, { idleMs = 300_000 } = {}) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args.map(String), {
    execArgv: ['--expose-gc', '--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const next = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('timed out'));
      }, idleMs);
      const onExit = (code, signal) => {
        clearTimeout(timer);
        reject(new Error(failure({ stderr: stderr.trim(), code, signal })));
      };
      child.once('exit', onExit);
      child.once('message', (msg) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(msg);
      });
    });
  return {
    ready: next(),
    request: (msg) => {
      const reply = next();
      child.send(msg);
      return reply;
    },
    stop: () => child.kill('SIGKILL'),
  };
}

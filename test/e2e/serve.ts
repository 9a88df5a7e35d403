/**
 * `npm run e2e:serve`: code-server with the Tokenwise of this checkout installed, on a sample workspace,
 * until Ctrl-C. Open the address it prints in a browser.
 *
 *   npm run e2e:serve                          # sample workspace, a free port on 127.0.0.1
 *   npm run e2e:serve -- --port 8080 [--host 0.0.0.0] [FOLDER]
 *
 * --host 0.0.0.0 exposes an unauthenticated VS Code (with a terminal) to the network: only on a trusted one.
 */
import { resolve } from 'node:path';
import { CodeServer, removeScratchDir, scratchDir } from './harness';
import { sampleWorkspaceFiles } from './sampleWorkspace';

function usage(): never {
  console.error('usage: npm run e2e:serve -- [--port N] [--host ADDRESS] [FOLDER]');
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let port = Number(process.env.E2E_PORT ?? 0);
  let host = '127.0.0.1';
  let folder: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--port') port = Number(args[++i]);
    else if (a === '--host') host = args[++i] ?? usage();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage();
    else folder = resolve(a);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage();

  const dir = scratchDir('tokenwise-serve-');
  let server: CodeServer | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping code-server…');
    await server?.stop();
    removeScratchDir(dir);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    server = await CodeServer.start({ dir, host, port, workspace: folder, files: sampleWorkspaceFiles(), verbose: !!process.env.E2E_VERBOSE });
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    await stop(1);
    return;
  }
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`code-server exited (${code ?? signal}); its log:\n${server!.logTail()}`);
    void stop(1);
  });
  const url = host === '0.0.0.0' || host === '::' ? server.workspaceUrl.replace(/\/\/[^/]+/, `//localhost:${new URL(server.url).port}`) : server.workspaceUrl;
  console.log(`
Tokenwise in code-server (VS Code in a browser), workspace ${server.workspace}

  Open:  ${url}

Profile and logs: ${dir} (removed on exit). Rebuild and restart to pick up changes. Ctrl-C to stop.
`);
}

void main();

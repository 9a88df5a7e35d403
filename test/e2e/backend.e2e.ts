/**
 * The model backend settings in real VS Code: nothing connects until a backend is chosen, a remote URL is
 * refused before any request, a server that is down is reported once with the way to the log, and a real
 * llama-server killed while in use and started again is shown as it is and found again by itself.
 */
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { modelCache, writeTinyModel } from '../fixtures/gguf/index';
import { freePort, LLAMA_SERVER, startLlamaServer, stopLlamaServer } from '../fixtures/llamaServer';
import { waitFor, Workbench } from './harness';

const ITEM_ID = 'tokenwise.tokenwise.tokenwise.backend';

describe('Tokenwise model backend settings (code-server + Chromium)', function () {
  this.timeout(180_000);
  let vs: Workbench;
  let remoteHits = 0;
  let spy: Server;

  before(async function () {
    this.timeout(600_000);
    // A server that counts requests: a refused remote URL must never reach anything.
    spy = createServer((_req, res) => {
      remoteHits++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => spy.listen(0, '0.0.0.0', resolve));
    vs = await Workbench.start();
  });

  afterEach(async function () {
    if (vs && this.currentTest?.state === 'failed') await vs.saveDiagnostics(`backend-${this.currentTest.title}`);
    await vs?.closeQuickInput().catch(() => {});
  });

  after(async function () {
    this.timeout(60_000);
    await vs?.dispose();
    spy?.close();
  });

  const backendItem = async () => (await vs.statusBarItems()).find((i) => i.id === ITEM_ID);

  it('shows no backend and sends nothing until one is chosen', async () => {
    await vs.openFile('sample.ts');
    await vs.waitForStatusBarItem(/\btok\b/);
    assert.equal(await backendItem(), undefined);
  });

  it('refuses a URL that is not this machine, before any request, and says how to allow it', async () => {
    const port = (spy.address() as AddressInfo).port;
    // This machine's own address on its network: reachable, but not loopback.
    const address = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '10.255.255.1';
    await vs.updateUserSettings({ 'tokenwise.backend.kind': 'llama-server', 'tokenwise.backend.url': `http://${address}:${port}` });
    await waitFor(async () => (await backendItem()) !== undefined, 30_000, 'the backend item');
    const tooltip = await vs.statusBarTooltip(ITEM_ID);
    assert.match(tooltip, /not this machine/);
    assert.match(tooltip, /allow remote/i);
    assert.equal(remoteHits, 0);
  });

  it('reports a server that is down once, with a button that opens the log', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    await vs.dismissNotifications();
    await vs.updateUserSettings({ 'tokenwise.backend.url': `http://127.0.0.1:${port}` });
    const toasts = vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'model backend' });
    await toasts.first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await toasts.first().innerText(), /Open Log/);
    // Asking again does not pile up notifications.
    await vs.runCommand('Tokenwise: Connect to the Model Backend');
    await vs.page.waitForTimeout(2000);
    assert.equal(await toasts.count(), 1);
    await vs.updateUserSettings({ 'tokenwise.backend.kind': undefined, 'tokenwise.backend.url': undefined });
    await waitFor(async () => (await backendItem()) === undefined, 30_000, 'the backend item to go away');
  });

  it('a llama-server killed while in use: the item says unreachable, Retry says so, and it is found again when it is back', async function () {
    // Built by npm run test:integration, which runs first.
    if (!existsSync(LLAMA_SERVER)) return this.skip();
    const model = writeTinyModel('bigram-bpe', join(modelCache(), 'e2e-server-bigram-bpe.gguf')).path;
    const port = await freePort();
    let server: ChildProcess | undefined = await startLlamaServer(model, port);
    const tooltip = () => vs.statusBarTooltip(ITEM_ID).catch(() => '');
    try {
      vs.writeWorkspaceFile('away.py', 'def mean(xs):\n    return s\n');
      await vs.dismissNotifications();
      await vs.updateUserSettings({ 'tokenwise.backend.kind': 'llama-server', 'tokenwise.backend.url': `http://127.0.0.1:${port}` });
      await waitFor(async () => /Reconnect/.test(await tooltip()), 60_000, 'the item to say connected');
      assert.match((await backendItem())!.text, /llama-server/);

      await stopLlamaServer(server);
      server = undefined;
      // Typing asks for a completion, which finds nothing there.
      await vs.openFile('away.py');
      await vs.goTo(2, 13);
      await vs.type('u');
      await waitFor(async () => /unreachable: cannot reach .*connection refused/.test(await tooltip()), 60_000, 'the item to say unreachable');
      assert.doesNotMatch(await tooltip(), /Reconnect/);

      await vs.dismissNotifications();
      await vs.runCommand('Tokenwise: Connect to the Model Backend');
      await vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot reach' }).first().waitFor({ state: 'visible', timeout: 30_000 });

      server = await startLlamaServer(model, port);
      // The waits double from a second up to 30 s: found within one of them.
      await waitFor(async () => /Reconnect/.test(await tooltip()), 60_000, 'the server to be found again without Retry');
    } finally {
      await stopLlamaServer(server);
      await vs.updateUserSettings({ 'tokenwise.backend.kind': undefined, 'tokenwise.backend.url': undefined });
    }
  });
});

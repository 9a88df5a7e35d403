/** createBackend, the loopback guard and the one-line capability summary. */
import assert from 'node:assert/strict';
import { checkBackendUrl, createBackend, describeCapabilities, isLoopback } from '../../src/core/backends/create';
import { BackendError } from '../../src/core/backends/types';

describe('backend creation', () => {
  it('knows loopback URLs', () => {
    for (const u of ['http://localhost:8080', 'http://127.0.0.1:1', 'http://127.4.5.6', 'http://[::1]:8000', 'http://api.localhost']) assert.ok(isLoopback(u), u);
    for (const u of ['http://10.0.0.2', 'https://example.com', 'http://127.0.0.1.example.com', 'not a url']) assert.ok(!isLoopback(u), u);
  });

  it('refuses a remote URL before any request unless allowed', () => {
    assert.throws(() => checkBackendUrl('http://gpu-box:8000', false), /not this machine/);
    checkBackendUrl('http://gpu-box:8000', true);
    assert.throws(() => checkBackendUrl('ftp://localhost', true), /not supported/);
    assert.throws(() => checkBackendUrl('http://user:pw@localhost', true), /API key/);
    assert.throws(() => createBackend({ kind: 'openai', url: 'http://10.1.1.1:8000' }), BackendError);
  });

  it('creates each HTTP kind, and the embedded one only through a factory', () => {
    assert.equal(createBackend({ kind: 'llama-server', url: 'http://127.0.0.1:8080' }).kind, 'llama-server');
    assert.equal(createBackend({ kind: 'openai', url: 'http://127.0.0.1:8000/v1' }).kind, 'openai');
    assert.equal(createBackend({ kind: 'ollama', url: 'http://127.0.0.1:11434', model: 'm' }).kind, 'ollama');
    assert.throws(() => createBackend({ kind: 'ollama', url: 'http://127.0.0.1:11434' }), /model name/);
    assert.throws(() => createBackend({ kind: 'embedded', modelPath: 'x.gguf' }), /not available/);
  });

  it('describes capabilities in one line', () => {
    const line = describeCapabilities({ tokenIdPrompts: true, distributions: 'full', maxTopK: 383, promptTokenProbs: false, constraints: ['grammar', 'token-bias'], infill: true, tokenize: true, contextSize: 2048 });
    assert.equal(line, 'token-id prompts · full distributions · constraints: grammar, token-bias · server infill · tokenize · context 2,048');
  });
});

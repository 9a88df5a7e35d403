import * as assert from 'node:assert/strict';
import { escapeHtml, makeNonce, panelHtml } from '../../src/core/panel/html';

describe('the budget panel HTML shell', () => {
  const options = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'abc123',
    scriptUri: 'https://x/panel.js?a=1&b="2"',
    styleUri: 'https://x/panel.css',
    codiconUri: 'https://x/codicon.css',
    title: 'Budget <&>',
  };

  it('allows scripts only with the nonce and styles only from the extension or with the nonce', () => {
    const html = panelHtml(options);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.equal(
      csp,
      "default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net; " +
        "style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc123'; script-src 'nonce-abc123';",
    );
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/panel\.js\?a=1&amp;b=&quot;2&quot;"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/codicon\.css" id="vscode-codicon-stylesheet"/);
    assert.match(html, /<title>Budget &lt;&amp;&gt;<\/title>/);
    assert.doesNotMatch(html, /style="/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('escapes what goes into attributes', () => {
    assert.equal(escapeHtml(`"<>&`), '&quot;&lt;&gt;&amp;');
  });

  it('makes a fresh 32-character nonce each time', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, makeNonce());
  });
});

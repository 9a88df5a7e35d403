/**
 * The budget panel's HTML shell. Pure, so that the page can be tested in a browser with the very document
 * (and Content Security Policy) the extension serves: scripts only with the nonce, styles only from the
 * extension's files, no inline style attributes.
 */

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the webview's own resources come from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  title: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for element content or a double-quoted attribute value (the only kind written here). */
export const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => ESCAPES[c]);

export function panelHtml(o: PanelHtmlOptions): string {
  const e = escapeHtml;
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  // The codicon link's id is how @vscode-elements finds the icon font to adopt into its shadow roots.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(o.codiconUri)}" id="vscode-codicon-stylesheet" nonce="${e(o.nonce)}">
<link rel="stylesheet" href="${e(o.styleUri)}" nonce="${e(o.nonce)}">
<title>${e(o.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script nonce="${e(o.nonce)}" src="${e(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random characters from [A-Za-z0-9], via Web Crypto (Node 20 and browsers alike). */
export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  // 256 is a multiple of 64 but not of 62: the tiny bias towards the first letters does not matter for a nonce.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

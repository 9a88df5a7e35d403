/**
 * The chat templates Tokenwise ships (data/templates.json, written at build time from the tokenizer
 * configs), keyed by tokenizer id. Read from the data directory in Node; the web extension hands them over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirectory } from '../tokenizers/registry';

export interface TemplateEntry {
  /** The package the template was taken from. */
  source: string;
  /** Jinja source, as in tokenizer_config.json's `chat_template`. */
  chatTemplate: string;
  bosToken: string | null;
  eosToken: string | null;
  /** The tokenizer adds BOS itself when encoding (the template may write it too). */
  addBosToken: boolean;
}

let bundled: Record<string, TemplateEntry> | undefined;

/** Gives the templates their data where there is no file system (a web extension reads its own package). */
export function setTemplateData(raw: Record<string, TemplateEntry>): void {
  bundled = raw;
}

/** The bundled template for a tokenizer id, if there is one. */
export function bundledTemplate(tokenizerId: string): TemplateEntry | undefined {
  if (!bundled) {
    const path = join(dataDirectory(), 'templates.json');
    bundled = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, TemplateEntry>) : {};
  }
  return Object.hasOwn(bundled, tokenizerId) ? bundled[tokenizerId] : undefined;
}

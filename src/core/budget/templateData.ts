/**
 * The chat templates Tokenwise ships (data/templates.json, written at build time from the tokenizer
 * configs), keyed by tokenizer id. Read through the core's data source.
 */
import { bundledNow, perSource } from '../data/source';
import { decodeUtf8 } from '../text/utf8';

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

const bundledTemplates = perSource(() => JSON.parse(decodeUtf8(bundledNow('templates.json'))) as Record<string, TemplateEntry>);

/** The bundled template for a tokenizer id, if there is one. */
export function bundledTemplate(tokenizerId: string): TemplateEntry | undefined {
  const bundled = bundledTemplates();
  return Object.hasOwn(bundled, tokenizerId) ? bundled[tokenizerId] : undefined;
}

/**
 * What completions need before the first prompt, the same for the CLI and the editor: the model's own
 * vocabulary (found and checked against the backend), every token's bytes, and the FIM template.
 */
import { findModelTokenizer, type ModelTokenizer, type ModelTokenizerRequest } from './modelTokenizer';
import { templateForModel } from './templateForModel';
import type { FimTemplate, FimTemplateId } from './templates';

export interface FimSessionRequest extends ModelTokenizerRequest {
  /** The template the user asked for; else the one the model's special tokens name. */
  template?: FimTemplateId;
}

export interface FimSession extends ModelTokenizer {
  /** Undefined where no template fits the model: `templateReason` says why. */
  template?: FimTemplate;
  templateReason: string;
}

/** Throws a `ModelTokenizerError` where the vocabulary cannot be found or does not match. */
export async function openFimSession(request: FimSessionRequest): Promise<FimSession> {
  const found = await findModelTokenizer(request);
  await request.backend.loadTokenBytes?.(request.signal);
  const chosen = templateForModel(request.connected, found.tokenizer, request.template);
  return { ...found, template: chosen.template, templateReason: chosen.reason };
}

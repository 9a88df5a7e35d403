/**
 * What the engine reports about a loaded model: special ids from the model itself (llama.cpp's own
 * bos/eos/eog and infill ids), FIM extras from GGUF metadata or well-known sentinel names, and the exact
 * bytes of every token packed for the wire.
 */
import { basename } from 'node:path';
import type { LlamaModel } from './llamaApi';
import type { WireModelInfo, WireTokenBytes } from './protocol';
import { FIM_TEXTS } from '../gguf/specialTexts';
import { isTextless, tokenBytesOf } from '../gguf/vocab';

export function describeModel(model: LlamaModel, modelPath: string, contextSize: number, gpu: string | false, threads: number): WireModelInfo {
  const ggml = model.fileInfo.metadata.tokenizer?.ggml ?? {};
  const tokens = ggml.tokens ?? [];
  const types = ggml.token_type;
  const specialIds: number[] = [];
  for (let id = 0; id < tokens.length; id++) if (isTextless(types?.[id])) specialIds.push(id);
  const eosId = orUndefined(model.tokens.eos);
  // Every end-of-generation id llama.cpp knows (eot, <|im_end|>, …) besides eos; eog ids are control tokens.
  const endIds = specialIds.filter((id) => id !== eosId && model.isEogToken(id));
  const eot = orUndefined(model.tokens.eot);
  if (eot !== undefined && eot !== eosId && !endIds.includes(eot)) endIds.push(eot);
  const byName = (names: readonly string[]) => {
    for (const name of names) {
      const id = tokens.indexOf(name);
      if (id >= 0) return id;
    }
    return undefined;
  };
  const metaId = (key: string) => (typeof ggml[key] === 'number' ? (ggml[key] as number) : undefined);
  const infill = model.tokens.infill;
  return {
    name: model.fileInfo.metadata.general?.name || basename(modelPath),
    contextSize,
    vocabSize: tokens.length,
    bosId: orUndefined(model.tokens.bos),
    eosId,
    endIds,
    fim: {
      prefix: orUndefined(infill.prefix),
      suffix: orUndefined(infill.suffix),
      middle: orUndefined(infill.middle),
      pad: metaId('fim_pad_token_id') ?? byName(FIM_TEXTS.pad),
      repoName: metaId('fim_rep_token_id') ?? byName(FIM_TEXTS.repoName),
      fileSeparator: metaId('fim_sep_token_id') ?? byName(FIM_TEXTS.fileSeparator),
    },
    specialIds,
    // Exact bytes only for the vocabulary kinds llama.cpp decodes this way.
    tokenBytes: ggml.model === 'gpt2' || ggml.model === 'llama' ? packTokenBytes(tokenBytesOf(ggml.model, tokens, types)) : undefined,
    gpu,
    threads,
  };
}

function orUndefined(id: number | null | undefined): number | undefined {
  return id === null || id === undefined || id < 0 ? undefined : id;
}

export function packTokenBytes(table: (Uint8Array | undefined)[] | undefined): WireTokenBytes | undefined {
  if (!table) return undefined;
  const lengths = table.map((b) => (b ? b.length : -1));
  const data = Buffer.concat(table.filter((b): b is Uint8Array => b !== undefined));
  return { data: data.toString('base64'), lengths };
}

export function unpackTokenBytes(packed: WireTokenBytes): (Uint8Array | undefined)[] {
  const data = Buffer.from(packed.data, 'base64');
  let at = 0;
  return packed.lengths.map((n) => {
    if (n < 0) return undefined;
    const bytes = new Uint8Array(data.subarray(at, at + n));
    at += n;
    return bytes;
  });
}

/** The FIM template for a connected model: the user's choice, or the one its own special tokens name. */
import type { ConnectResult } from '../backends/types';
import type { Tokenizer } from '../tokenizers/types';
import { chooseTemplate, sentinelVocab } from './chooseTemplate';
import type { FimTemplate, FimTemplateId } from './templates';

export function templateForModel(connected: ConnectResult, tokenizer: Tokenizer, asked?: FimTemplateId): { template?: FimTemplate; reason: string } {
  const vocab = sentinelVocab(tokenizer, connected.info.specialIds);
  const idOf = (text: string) => {
    const ids = vocab.encodeSpecial(text);
    return ids.length === 1 && vocab.isSpecial(ids[0]) ? ids[0] : undefined;
  };
  return chooseTemplate({ fim: connected.info.fim, name: connected.info.name, userTemplate: asked }, { tokenText: vocab.tokenText, idOf });
}

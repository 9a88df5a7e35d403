/** How the catalog's provider ids read in a list (no imports: the panel's page uses it too). */

const PROVIDER_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  mistral: 'Mistral',
  deepseek: 'DeepSeek',
  alibaba: 'Alibaba (Qwen)',
  llama: 'Meta Llama',
  xai: 'xAI',
  lmstudio: 'LM Studio',
  groq: 'Groq',
  togetherai: 'Together AI',
  'fireworks-ai': 'Fireworks AI',
  custom: 'Your models',
};

/** How a provider id of the catalog reads in a list. */
export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

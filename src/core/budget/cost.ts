/**
 * What a request costs at a model's list prices. Prices are the catalog's (or the user's), in US dollars
 * per million tokens; every figure is an estimate, and a price the catalog lacks gives no figure, never zero.
 */

/** US dollars per million tokens. */
export interface Prices {
  input?: number;
  output?: number;
  /** Input read from a prompt cache. */
  cacheRead?: number;
  /** Input written into a prompt cache, where the provider charges for it. */
  cacheWrite?: number;
}

/** One request's cost in US dollars, each figure present only when its price is known. */
export interface RequestCost {
  /** The input at the input price. */
  input?: number;
  /** The reserved output, were all of it written. */
  output?: number;
  /** The same input when it is read from a prompt cache. */
  cachedInput?: number;
}

const PRICE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;

/** The prices that are numbers of dollars (a setting may hold anything); undefined when none is. */
export function validPrices(prices: unknown): Prices | undefined {
  if (typeof prices !== 'object' || prices === null) return undefined;
  const valid: Prices = {};
  for (const key of PRICE_KEYS) {
    const value = (prices as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) valid[key] = value;
  }
  return Object.keys(valid).length > 0 ? valid : undefined;
}

export function requestCost(prices: Prices | undefined, inputTokens: number, outputTokens: number): RequestCost | undefined {
  if (!prices) return undefined;
  const at = (price: number | undefined, tokens: number) => (price === undefined ? undefined : (price * tokens) / 1_000_000);
  const cost: RequestCost = {};
  const input = at(prices.input, inputTokens);
  const output = at(prices.output, outputTokens);
  const cachedInput = at(prices.cacheRead, inputTokens);
  if (input !== undefined) cost.input = input;
  if (output !== undefined) cost.output = output;
  if (cachedInput !== undefined) cost.cachedInput = cachedInput;
  return Object.keys(cost).length > 0 ? cost : undefined;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `$0.0031`, `$0.042`, `$1.25`, `$1,234`: about two significant digits where cents are too coarse. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  if (usd < 1000) return `$${usd.toFixed(2)}`;
  return `$${grouped.format(usd)}`;
}

/** `$2.50 in / $10 out per 1M tokens (cached input $1.25)` */
export function formatPrices(prices: Prices): string {
  const per = (n: number) => `$${+n.toFixed(4)}`;
  const main = [prices.input === undefined ? '' : `${per(prices.input)} in`, prices.output === undefined ? '' : `${per(prices.output)} out`].filter(Boolean).join(' / ');
  const cached = prices.cacheRead === undefined ? '' : ` (cached input ${per(prices.cacheRead)})`;
  return `${main || 'input'} per 1M tokens${cached}`;
}

/** The figures of a cost in the order every view lists them, with the tokens each prices. */
export function costFigures(cost: RequestCost): { label: string; usd: number; tokens: 'input' | 'output' }[] {
  const figures: { label: string; usd: number; tokens: 'input' | 'output' }[] = [];
  if (cost.input !== undefined) figures.push({ label: 'Input', usd: cost.input, tokens: 'input' });
  if (cost.output !== undefined) figures.push({ label: 'Output reserved, if all written', usd: cost.output, tokens: 'output' });
  if (cost.cachedInput !== undefined) figures.push({ label: 'Input read from a prompt cache', usd: cost.cachedInput, tokens: 'input' });
  return figures;
}

/** `--model ID`: a model of the catalog, or a one-line error that names the ids closest to what was typed. */
import { findModel, modelCatalog, type ModelInfo } from '../core/budget/modelCatalog';
import { CliError } from './errors';

export function loadCliModel(id: string): ModelInfo {
  const model = findModel(id);
  if (model) return model;
  const close = closeModelIds(id, modelCatalog().map((m) => m.id));
  throw new CliError(`unknown model "${id}"; ${close.length > 0 ? `did you mean ${close.join(', ')}?` : 'no model id is close to it'}`, 2);
}

/** Up to `max` ids: those that contain what was typed (or are contained in it) first, then the nearest by edits. */
export function closeModelIds(typed: string, ids: readonly string[], max = 5): string[] {
  const query = typed.toLowerCase();
  const ranked = ids.map((id) => {
    const lower = id.toLowerCase();
    const contains = query.length >= 2 && (lower.includes(query) || query.includes(lower));
    return { id, contains, distance: editDistance(query, lower) };
  });
  const limit = Math.max(2, Math.floor(query.length / 3));
  return ranked
    .filter((r) => r.contains || r.distance <= limit)
    .sort((a, b) => Number(b.contains) - Number(a.contains) || a.distance - b.distance || (a.id < b.id ? -1 : 1))
    .slice(0, max)
    .map((r) => r.id);
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

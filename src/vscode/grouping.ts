/** Items in groups for a picker: groups by name, and inside each group by name too, numbers in order (GPT-4 before GPT-4.1 before GPT-40). */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function inGroups<T>(items: readonly T[], group: (t: T) => string, name: (t: T) => string): T[] {
  return [...items].sort((a, b) => group(a).localeCompare(group(b)) || collator.compare(name(a), name(b)));
}

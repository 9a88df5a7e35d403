// Types of report.mjs, for the benchmarks written in TypeScript.
export function median(values: readonly number[]): number;
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string;
export const fmt: Record<'mbps' | 'ratio' | 'ms' | 'mb' | 'size', (v: number) => string>;
export function target(ok: boolean): string;

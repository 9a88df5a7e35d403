// Small shared helpers: statistics, id checksums and markdown tables.

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmt = {
  mbps: (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)),
  ratio: (v) => `${v.toFixed(2)}×`,
  ms: (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)),
  mb: (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)),
  size: (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} KB`),
};

/** A note on whether `value` meets a target, for summary lines. No assertion: this is a report. */
export function target(ok) {
  return ok ? 'meets target' : 'BELOW TARGET';
}

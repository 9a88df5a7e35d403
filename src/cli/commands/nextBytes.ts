/** `tokenwise next-bytes`: the exact next-character distribution at a cursor, beside the naive token-level one. */
import { describeByte } from '../../core/fim/describeByte';
import { END_OF_TEXT, nextByteDistributions } from '../../core/fim/nextBytes';
import { checkPositionals, parseCommandArgs } from '../args';
import { UsageError } from '../errors';
import { FIM_OPTIONS, openFim } from '../fimBackend';
import { writeOut } from '../output';
import { COMMAND_USAGE, synopsis } from '../usage';

export async function nextBytesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('next-bytes', {
    args: argv,
    options: { ...FIM_OPTIONS, top: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE['next-bytes']);
    return 0;
  }
  checkPositionals('next-bytes', positionals, 0);
  const top = values.top === undefined ? 20 : Number(values.top);
  if (!Number.isSafeInteger(top) || top < 1) throw new UsageError(`--top needs a whole number from 1, not '${values.top}'`, synopsis('next-bytes'));
  const fim = await openFim('next-bytes', values);
  try {
    const { exact, naive } = await nextByteDistributions(fim);
    if (values.json) writeOut(`${JSON.stringify({ exact: byKey(exact), naive: byKey(naive) })}\n`);
    else writeTable(exact, naive, top);
    return 0;
  } finally {
    fim.backend.dispose();
  }
}

/** "eos" for end of text, else the byte as two lowercase hex digits. */
const key = (b: number) => (b === END_OF_TEXT ? 'eos' : b.toString(16).padStart(2, '0'));

/** Every byte with non-zero mass, in byte order. */
function byKey(d: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  d.forEach((p, b) => {
    if (p > 0) out[key(b)] = p;
  });
  return out;
}

function writeTable(exact: Float64Array, naive: Float64Array, top: number): void {
  const order = Array.from(exact.keys())
    .filter((b) => exact[b] > 0 || naive[b] > 0)
    .sort((a, b) => exact[b] - exact[a] || naive[b] - naive[a] || a - b)
    .slice(0, top);
  const width = Math.max(4, ...order.map((b) => describeByte(b).length));
  const lines = [`${'BYTE'.padEnd(width)}  ${'EXACT'.padStart(8)}  ${'NAIVE'.padStart(8)}`];
  for (const b of order) lines.push(`${describeByte(b).padEnd(width)}  ${exact[b].toFixed(6)}  ${naive[b].toFixed(6)}`);
  writeOut(`${lines.join('\n')}\n`);
}

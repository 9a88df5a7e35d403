/** `tokenwise complete`: one fill-in-the-middle completion at a cursor in a file. */
import { completeAt } from '../../core/fim/complete';
import type { FimStrategy } from '../../core/fim/prompt';
import { checkPositionals, parseCommandArgs, parseTokenCount } from '../args';
import { UsageError } from '../errors';
import { FIM_OPTIONS, openFim } from '../fimBackend';
import { writeErr, writeOut } from '../output';
import { COMMAND_USAGE, synopsis } from '../usage';

const STRATEGIES: readonly FimStrategy[] = ['exact', 'heal', 'plain'];

export async function completeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('complete', {
    args: argv,
    options: { ...FIM_OPTIONS, strategy: { type: 'string' }, 'max-tokens': { type: 'string' } },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.complete);
    return 0;
  }
  checkPositionals('complete', positionals, 0);
  const strategy = (values.strategy ?? 'exact') as FimStrategy;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}`, synopsis('complete'));
  const maxTokens = values['max-tokens'] === undefined ? 64 : parseTokenCount(values['max-tokens'], '--max-tokens', 'complete');
  if (maxTokens < 1) throw new UsageError('--max-tokens must be at least 1', synopsis('complete'));
  const fim = await openFim('complete', values);
  try {
    const result = await completeAt({ ...fim, strategy, maxTokens });
    if (values.json) {
      const { text, replaceBefore, strategy: used, stats } = result;
      writeOut(`${JSON.stringify({ text, replaceBefore, strategy: used, stats })}\n`);
    } else {
      if (result.fallback) writeErr(result.strategy === strategy ? `tokenwise: ${strategy}: ${result.fallback}\n` : `tokenwise: ${strategy} fell back to ${result.strategy}: ${result.fallback}\n`);
      writeOut(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    }
    return 0;
  } finally {
    fim.backend.dispose();
  }
}

/** The `tokenwise` command line: dispatches to a command and turns every failure into one line on stderr. */
import { version } from '../../package.json';
import { useNodeData } from '../core/data/node';
import { compareCommand } from './commands/compare';
import { completeCommand } from './commands/complete';
import { countCommand } from './commands/count';
import { encodeCommand } from './commands/encode';
import { mcpCommand } from './commands/mcp';
import { nextBytesCommand } from './commands/nextBytes';
import { surprisalCommand } from './commands/surprisal';
import { tokenizersCommand } from './commands/tokenizers';
import { CliError, UsageError, oneLine } from './errors';
import { writeErr, writeOut } from './output';
import { COMMAND_USAGE, USAGE, synopsis } from './usage';

type Command = (argv: string[]) => number | Promise<number>;

const COMMANDS = new Map<string, Command>([
  ['tokenizers', tokenizersCommand],
  ['encode', encodeCommand],
  ['count', countCommand],
  ['compare', compareCommand],
  ['complete', completeCommand],
  ['next-bytes', nextBytesCommand],
  ['surprisal', surprisalCommand],
  ['mcp', mcpCommand],
  ['help', helpCommand],
]);

export async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    writeErr(USAGE);
    return 2;
  }
  if (first === '-h' || first === '--help') return helpCommand(rest);
  if (first === '-v' || first === '--version') {
    writeOut(`${version}\n`);
    return 0;
  }
  const command = COMMANDS.get(first);
  if (!command) {
    throw new UsageError(first.startsWith('-') ? `unknown option '${first}' (options go after the command)` : `unknown command '${first}'`, synopsis());
  }
  return command(rest);
}

function helpCommand(argv: string[]): number {
  const [topic, ...extra] = argv;
  if (topic === undefined || topic === 'help') {
    writeOut(USAGE);
    return 0;
  }
  const text = COMMAND_USAGE[topic];
  if (!text || extra.length > 0) throw new UsageError(text ? `unexpected argument '${extra[0]}'` : `unknown command '${topic}'`, synopsis());
  writeOut(text);
  return 0;
}

/** The one line (and, for usage errors, the short usage) a user sees; stacks only with TOKENWISE_DEBUG=1. */
function report(error: unknown): number {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return 0;
  if (process.env.TOKENWISE_DEBUG === '1' && error instanceof Error && error.stack) writeErr(`${error.stack}\n`);
  const message = error instanceof Error ? error.message : String(error);
  writeErr(`tokenwise: ${oneLine(message)}\n`);
  if (error instanceof UsageError && error.usage) writeErr(`${error.usage}\n`);
  return error instanceof CliError ? error.exitCode : 1;
}

// A reader that stops early (`tokenwise encode big.txt | head`) is not an error: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.exitCode = report(error);
});

useNodeData();
run(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => (process.exitCode = report(error)),
);

/** `tokenwise tokenizers`: the bundled tokenizers. */
import { listTokenizers } from '../../core/tokenizers/registry';
import { checkPositionals, parseCommandArgs } from '../args';
import { formatInt, formatTable } from '../format';
import { writeOut } from '../output';
import { COMMAND_USAGE } from '../usage';

export function tokenizersCommand(argv: string[]): number {
  const { values, positionals } = parseCommandArgs('tokenizers', {
    args: argv,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.tokenizers);
    return 0;
  }
  checkPositionals('tokenizers', positionals, 0);
  const tokenizers = listTokenizers();
  if (values.json) {
    writeOut(`${JSON.stringify(tokenizers, null, 2)}\n`);
    return 0;
  }
  const rows = [
    ['ID', 'NAME', 'FAMILY', 'COUNTS', 'VOCABULARY'],
    ...tokenizers.map((t) => [t.id, t.name, t.family, t.exact ? 'exact' : '≈ approximate', formatInt(t.vocabSize)]),
  ];
  writeOut(formatTable(rows, ['left', 'left', 'left', 'left', 'right']));
  writeOut('\nAny tokenizer.json can be used too: --tokenizer path/to/tokenizer.json\n');
  return 0;
}

/** `tokenwise mcp [--root DIR]`: the token tools for AI assistants, as an MCP server on stdio. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { version } from '../../../package.json';
import { parseByteSize, parseCommandArgs } from '../args';
import { CliError, describeErrno } from '../errors';
import { serveStdio } from '../mcp/server';
import { writeOut } from '../output';
import { COMMAND_USAGE } from '../usage';
import { DEFAULT_MAX_FILE_SIZE } from '../walk';

export async function mcpCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('mcp', {
    args: argv,
    options: { root: { type: 'string' }, 'max-file-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.mcp);
    return 0;
  }
  const root = resolve(values.root ?? '.');
  try {
    if (!statSync(root).isDirectory()) throw new CliError(`--root ${root} is not a folder`, 2);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read --root ${root}: ${describeErrno(e)}`, 2);
  }
  // The tools walk paths as the CLI does, relative to the working directory: the root.
  process.chdir(root);
  const maxFileSize = values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseByteSize(values['max-file-size'], '--max-file-size', 'mcp');
  await serveStdio({ root, maxFileSize }, version);
  return 0;
}

/** Help texts: the overview, and one per command. */

export const DEFAULT_TOKENIZER = 'o200k_base';

export const USAGE = `Usage: tokenwise <command> [options]

Commands:
  tokenizers          list the bundled tokenizers
  encode [file]       show the tokens of a file, or of stdin
  count [paths...]    count the tokens in files and folders (default: .)
  help [command]      show help for a command

Options:
  -h, --help          show help
  -v, --version       show the version

Run "tokenwise help <command>" for the options of a command.
`;

export const COMMAND_USAGE: Record<string, string> = {
  tokenizers: `Usage: tokenwise tokenizers [--json]

Lists the bundled tokenizers: id, name, family, whether counts are exact, vocabulary size.

Options:
  --json              print a JSON array
`,
  encode: `Usage: tokenwise encode [file] [--tokenizer ID] [--json]

Shows each token of a file (or of stdin, when there is no file or it is "-"): its id, its UTF-16
range and its text. Tokens that hold only part of a character (an emoji split in several tokens)
are marked "partial"; their range is that of the whole character.

Options:
  -t, --tokenizer ID  a bundled tokenizer id (see "tokenwise tokenizers") or the path of a
                      tokenizer.json (default: ${DEFAULT_TOKENIZER})
  --json              print a JSON array of {id, start, end, text, partial}
`,
  count: `Usage: tokenwise count [paths...] [--tokenizer ID] [--json] [--budget N] [--max-file-size BYTES]

Counts the tokens of files, and of every file under folders (default: the current folder),
respecting .gitignore files and skipping .git, node_modules, binary files and files over the
size limit. Special-token text such as <|endoftext|> counts as plain text. Characters are
Unicode code points.

Options:
  -t, --tokenizer ID      a bundled tokenizer id (see "tokenwise tokenizers") or the path of a
                          tokenizer.json (default: ${DEFAULT_TOKENIZER})
  --json                  print {tokenizer, exact, files, skipped, total} as JSON
  --budget N              exit with status 1 when the total is over N tokens (128k = 128,000)
  --max-file-size BYTES   skip larger files (default: 10M; K, M and G suffixes are powers of 1024)
`,
};

/** The one-line synopsis of a command's usage, shown under a usage error. */
export function synopsis(command?: string): string {
  const text = (command && COMMAND_USAGE[command]) || USAGE;
  return `${text.split('\n')[0]}\nRun "tokenwise help${command ? ` ${command}` : ''}" for more.`;
}

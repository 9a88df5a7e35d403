/** Help texts: the overview, and one per command. */

export const DEFAULT_TOKENIZER = 'o200k_base';

export const USAGE = `Usage: tokenwise <command> [options]

Commands:
  tokenizers          list the bundled tokenizers
  encode [file]       show the tokens of a file, or of stdin
  count [paths...]    count the tokens in files and folders (default: .)
  compare [paths...]  compare tokenizers on the same text: tokens, ratios, window capacity
  complete            fill in the middle at a cursor with a local model
  next-bytes          the next character's probabilities at a cursor, exact and naive
  surprisal           the model's surprise at each token of a file (bits, rank, alternatives)
  mcp                 serve the token tools to AI assistants (Model Context Protocol, stdio)
  help [command]      show help for a command

Options:
  -h, --help          show help
  -v, --version       show the version

Run "tokenwise help <command>" for the options of a command.
`;

/** The options `complete` and `next-bytes` share. */
const FIM_OPTIONS_HELP = `  --backend URL|GGUF      a .gguf model file (run by the embedded engine) or a server URL
  --kind KIND             llama-server (default for a URL), openai, ollama or embedded
  -t, --tokenizer VOCAB   the model's own vocabulary: its .gguf file, its tokenizer.json or a
                          bundled id (default: the model file of the embedded engine or of a
                          llama-server on this machine, Ollama's metadata, or the model directory
                          of a vLLM on this machine; needed for other servers); checked against
                          the backend's own tokenization where it has one
  --model NAME            the model name (Ollama; OpenAI-compatible servers)
  --allow-remote          allow a server that is not on this machine (it sees the file)
  --file FILE             the document
  --cursor LINE:COL       the cursor, both from 1, COL in characters
  --template ID           the FIM template (default: from the model's FIM tokens)
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
  count: `Usage: tokenwise count [paths...] [--tokenizer ID] [--model ID [--system FILE] [--reserve N]]
                      [--json] [--budget N] [--max-file-size BYTES]

Counts the tokens of files, and of every file under folders (default: the current folder),
respecting .gitignore files and skipping .git, node_modules, binary files and files over the
size limit. Special-token text such as <|endoftext|> counts as plain text. Characters are
Unicode code points.

With --model, the files are also composed into one request as the model sees it: the system
prompt, the tokens its chat template adds, then every file in the order the paths are given,
all in one user message; printed with the output reserved, the usable window (the context
window minus the output reserved), the tokens left and the share of the window. Numbers marked
with ≈ are estimates.

Options:
  -t, --tokenizer ID      a bundled tokenizer id (see "tokenwise tokenizers") or the path of a
                          tokenizer.json (default: the model's, else ${DEFAULT_TOKENIZER})
  --model ID              a model id of the catalog, such as gpt-4o or claude-sonnet-4-20250514
  --system FILE           the system prompt (with --model)
  --reserve N             output tokens to reserve (with --model; default: the model's output
                          limit, at most 8,192)
  --json                  print {tokenizer, exact, files, skipped, total} as JSON; with --model,
                          also budget (the composed request) and limit (for --budget)
  --budget N              exit with status 1 when the files' total is over N tokens (128k =
                          128,000); with --model and no --budget, status 1 when the input is
                          over the usable window
  --max-file-size BYTES   skip larger files (default: 10M; K, M and G suffixes are powers of 1024)
`,
  compare: `Usage: tokenwise compare [paths...] [--tokenizers ID,ID,... [--tokenizer ID] | --model ID,ID,...]
                      [--json] [--max-file-size BYTES]

Compares tokenizers on the same text: the files under the paths (default: the current folder,
chosen as "count" chooses them), or stdin when the path is "-". Each file is tokenized on its own and the numbers are summed. Special-token text
counts as plain text. Characters are Unicode code points, bytes are UTF-8, and words are the
word-like segments of Intl.Segmenter.

Columns: tokens; characters and bytes per token; tokens per word (tokens overlapping each word,
in context); the share of words that are one token; the difference from the current tokenizer;
and how many characters of this text a model's window holds (window x chars/token), since token
counts of different tokenizers do not compare as capacity. The window is that of a model using the
tokenizer; with --model, the rows are the tokenizers of the models named, in that order, each with
that model's window.

Options:
  --tokenizers ID,...     the tokenizers to compare: bundled ids or tokenizer.json paths
                          (default: the current one, o200k_base, llama3, qwen3, cl100k_base; 4 in all)
  -t, --tokenizer ID      the current tokenizer, which differences are against; always compared
                          (default: ${DEFAULT_TOKENIZER})
  --model ID,...          compare the tokenizers of these models of the catalog (the first is the
                          current one), each against its own context window; not with --tokenizers
                          or --tokenizer
  --json                  print {source, characters, bytes, words, reference, rows} as JSON
  --max-file-size BYTES   skip larger files (default: 10M)
`,
  complete: `Usage: tokenwise complete --backend URL|GGUF --file FILE --cursor LINE:COL [--strategy S]
                      [--max-tokens N] [--kind KIND] [--tokenizer VOCAB] [--template ID] [--json]

Completes the code at the cursor with a fill-in-the-middle prompt and greedy decoding, and
prints what to insert at the cursor. The exact strategy (default) re-derives the partly typed
word from its bytes (the most probable token sequence that starts with it), so the model is
not misled by a token boundary at the cursor; heal forces the first tokens to spell it; plain
ends the prompt at the cursor. A backend that cannot run a strategy falls back (exact, then
heal, then plain) and says so. The embedded engine (a .gguf backend) must be installed in
.cache/engine, or in the folder TOKENWISE_ENGINE_DIR names.

Options:
${FIM_OPTIONS_HELP}  --strategy S            exact (default), heal or plain
  --max-tokens N          tokens to generate at most (default: 64)
  --json                  print {text, replaceBefore, strategy, stats}
`,
  'next-bytes': `Usage: tokenwise next-bytes --backend URL|GGUF --file FILE --cursor LINE:COL [--top N]
                      [--kind KIND] [--tokenizer VOCAB] [--template ID] [--json]

Shows the probability of each next byte at the cursor: exact (conditioned on the typed bytes
since the last stable token boundary, over every token sequence that spells them) beside naive
(the next-token distribution after the usual tokenization up to the cursor, each token counted
for its first byte). Needs a backend with full next-token distributions (the embedded engine,
llama-server).

Options:
${FIM_OPTIONS_HELP}  --top N                 rows to show (default: 20)
  --json                  print {"exact": {BYTE: p}, "naive": {BYTE: p}}, BYTE as two lowercase
                          hex digits or "eos", over every byte with non-zero probability
`,
  surprisal: `Usage: tokenwise surprisal --backend URL|GGUF --file FILE [--top N] [--window N]
                      [--kind KIND] [--tokenizer VOCAB] [--json]

Shows how surprised the model is by each token of the file: -log2 p(token | the text before it),
in bits, on the model's own tokenization, with the token's rank among the model's choices and its
most probable alternatives. Typos, odd code and places a model will stumble stand out. A long
file is scored in windows of N tokens, each after the tokens before it that fit the context.
Needs a backend with token probabilities (the embedded engine, llama-server, vLLM).

Options:
${FIM_OPTIONS_HELP.split('\n').filter((l) => !/^ {2}--(file|cursor|template) /.test(l)).join('\n')}  --file FILE             the text to score
  --top N                 alternatives shown per token (default: 3)
  --window N              tokens scored per request (default: 256)
  --json                  print {model, tokenizer, tokens: [{index, id, start, end, text,
                          probability, bits, rank, rankAtLeast, top}], bits, meanBits, tokenCount}
`,
  mcp: `Usage: tokenwise mcp [--root DIR] [--max-file-size BYTES]

Serves the token tools to an AI assistant over stdio (the Model Context Protocol): count, encode,
compare and budget, with the numbers of the commands above. Paths are relative to the root and may
not leave it; folders are walked with their .gitignore rules; no tool returns a file's text.

Options:
  --root DIR              the folder the tools may read (default: the working directory)
  --max-file-size BYTES   skip larger files (default: 10M)
`,
};

/** The one-line synopsis of a command's usage, shown under a usage error. */
export function synopsis(command?: string): string {
  const text = (command && COMMAND_USAGE[command]) || USAGE;
  return `${text.split('\n')[0]}\nRun "tokenwise help${command ? ` ${command}` : ''}" for more.`;
}

/**
 * `tokenwise mcp`: the token tools as a Model Context Protocol server over stdio, on the official SDK.
 * Every failure a tool meets (an unknown tokenizer or model, a path that cannot be read or is outside the
 * root) is answered as a tool error in one line, so that the assistant can read it and try again.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { listTokenizers } from '../../core/tokenizers/registry';
import { oneLine } from '../errors';
import { budgetTool, compareTool, countTool, encodeTool, type ToolContext } from './tools';

const subject = {
  text: z.string().optional().describe('A text to measure. Give this or paths, not both.'),
  paths: z.array(z.string()).optional().describe('Files and folders, relative to the server\'s folder (default: all of it). Folders are walked with their .gitignore rules; binary and very large files are skipped and listed.'),
};
const tokenizerIds = () => listTokenizers().map((t) => t.id).join(', ');

export function tokenServer(ctx: ToolContext, version: string): McpServer {
  const server = new McpServer({ name: 'tokenwise', version });
  const tool = <A>(run: (args: A) => unknown | Promise<unknown>) => async (args: A): Promise<CallToolResult> => {
    try {
      return { content: [{ type: 'text', text: JSON.stringify(await run(args), null, 2) }] };
    } catch (e) {
      return { isError: true, content: [{ type: 'text', text: oneLine(e instanceof Error ? e.message : String(e)) }] };
    }
  };

  server.registerTool('count', {
    title: 'Count tokens',
    description: 'How many tokens a text or files take for a tokenizer or a model; with a model, the share of its context window, the tokens left and the cost at list prices (estimates).',
    inputSchema: {
      ...subject,
      tokenizer: z.string().optional().describe(`A bundled tokenizer (${tokenizerIds()}) or a tokenizer.json path. Default: the model's, else o200k_base.`),
      model: z.string().optional().describe('A model id of the catalog (gpt-4o, claude-sonnet-4-20250514, qwen3-32b…).'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, tool((args) => countTool(ctx, args)));

  server.registerTool('encode', {
    title: 'Encode into tokens',
    description: 'The tokens of a text: each id and the text it covers, to see where a tokenizer splits.',
    inputSchema: {
      text: z.string().describe('The text to encode.'),
      tokenizer: z.string().optional().describe(`A bundled tokenizer (${tokenizerIds()}) or a tokenizer.json path. Default: o200k_base.`),
      maxTokens: z.number().int().min(1).max(100_000).optional().describe('At most this many tokens are listed (default 1000); the count is always whole.'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, tool((args) => encodeTool(args)));

  server.registerTool('compare', {
    title: 'Compare tokenizers',
    description: 'The same text or files under several tokenizers (or the tokenizers of several models): tokens, characters per token, tokens per word, the difference from the first, how much text each model\'s window holds, and the input cost.',
    inputSchema: {
      ...subject,
      tokenizers: z.array(z.string()).optional().describe('Tokenizer ids or paths; the first is the one the others are measured against. Default: o200k_base, llama3, qwen3, cl100k_base.'),
      models: z.array(z.string()).optional().describe('Model ids instead of tokenizers: a row per model, with its own tokenizer and window.'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, tool((args) => compareTool(ctx, args)));

  server.registerTool('budget', {
    title: 'Budget a request',
    description: 'A request composed as the model sees it: the system prompt, the tokens its chat template adds, the files or text, the output reserved, the tokens left in the context window, and the cost at list prices (estimates).',
    inputSchema: {
      ...subject,
      model: z.string().describe('A model id of the catalog.'),
      system: z.string().optional().describe('The system prompt\'s text.'),
      reservedOutput: z.number().int().min(0).optional().describe('Output tokens to reserve (default: the model\'s output limit, at most 8,192).'),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, tool((args) => budgetTool(ctx, args)));
  return server;
}

/** Serves on stdin and stdout until the client closes them. */
export async function serveStdio(ctx: ToolContext, version: string): Promise<void> {
  const server = tokenServer(ctx, version);
  const closed = new Promise<void>((done) => (server.server.onclose = done));
  await server.connect(new StdioServerTransport());
  await closed;
}

/**
 * The part of node-llama-cpp 3.21's API the engine uses, typed by hand: the package is installed on demand
 * into its own folder and loaded at run time, so it is not a dependency whose types the build could see.
 */

export type Token = number;

export interface LlamaModule {
  getLlama(options: {
    gpu?: 'auto' | 'cuda' | 'vulkan' | 'metal' | false;
    build?: 'never' | 'auto';
    logLevel?: string;
    logger?: (level: string, message: string) => void;
  }): Promise<Llama>;
  TokenBias: new (tokenizer: unknown) => TokenBias;
  LlamaGrammarEvaluationState: new (options: { model: LlamaModel; grammar: unknown }) => unknown;
}

export interface Llama {
  readonly gpu: string | false;
  loadModel(options: { modelPath: string; gpuLayers?: 'auto' | number }): Promise<LlamaModel>;
  createGrammar(options: { grammar: string }): Promise<unknown>;
  dispose(): Promise<void>;
}

export interface TokenBias {
  /** Internal in 3.21 (id → added logit), read by the sampler as is; pinned with the engine version. */
  readonly _biases: Map<Token, number>;
}

export interface LlamaModel {
  readonly tokens: {
    readonly bos: Token | null;
    readonly eos: Token | null;
    readonly eot: Token | null;
    readonly shouldPrependBosToken: boolean;
    readonly infill: { readonly prefix: Token | null; readonly suffix: Token | null; readonly middle: Token | null };
  };
  readonly fileInfo: { metadata: GgufMetadata };
  readonly filename: string | undefined;
  readonly trainContextSize: number;
  /** Bound to the model: the tokenizer TokenBias needs. */
  readonly tokenizer: unknown;
  tokenize(text: string, specialTokens?: boolean): Token[];
  detokenize(tokens: readonly Token[], specialTokens?: boolean, lastTokens?: readonly Token[]): string;
  isEogToken(token: Token | undefined): boolean;
  createContext(options: { contextSize?: number; threads?: number; sequences?: number }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}

export interface GgufMetadata {
  general?: { name?: string };
  tokenizer?: {
    ggml?: {
      model?: string;
      tokens?: string[];
      token_type?: number[];
      [key: string]: unknown;
    };
  };
}

export interface LlamaContext {
  readonly contextSize: number;
  getSequence(): LlamaSequence;
  dispose(): Promise<void>;
}

export interface SampleOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  seed?: number;
  tokenBias?: TokenBias;
}

export type ControlledItem = Token | [Token, { generateNext?: { probabilities?: boolean; confidence?: boolean; options?: SampleOptions } }];

export interface LlamaSequence {
  readonly contextTokens: Token[];
  readonly nextTokenIndex: number;
  compareContextTokens(tokens: Token[]): { firstDifferentIndex: number };
  eraseContextTokenRanges(ranges: { start: number; end: number }[]): Promise<void>;
  evaluate(
    tokens: Token[],
    options?: { temperature?: number; tokenBias?: TokenBias; grammarEvaluationState?: unknown; yieldEogToken?: boolean },
  ): AsyncGenerator<Token, void, void | Token | Token[]>;
  controlledEvaluate(input: ControlledItem[]): Promise<(undefined | { next: { probabilities?: Map<Token, number>; confidence?: unknown } })[]>;
}

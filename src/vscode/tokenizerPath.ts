/**
 * Whether a tokenizer setting names a file (a path, or a tokenizer file's name) rather than a bundled
 * tokenizer's id: untrusted workspaces cannot point Tokenwise at files, so such a setting is ignored there.
 */
export function namesTokenizerFile(setting: string): boolean {
  return /[\\/]|\.(?:json|bpe|gguf)$/i.test(setting);
}

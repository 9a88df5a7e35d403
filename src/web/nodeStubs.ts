/**
 * Stands in for Node's modules in the web bundle. The web extension reads its data through
 * `workspace.fs`, so these are never called; if one is, it says why.
 */
const unavailable = (name: string) => () => {
  throw new Error(`${name} is not available in VS Code for the Web`);
};
export const existsSync = unavailable('the file system');
export const readFileSync = unavailable('the file system');
export const openSync = unavailable('the file system');
export const readSync = unavailable('the file system');
export const fstatSync = unavailable('the file system');
export const closeSync = unavailable('the file system');
export const join = (...parts: string[]): string => parts.join('/');
export const dirname = (path: string): string => path.replace(/\/[^/]*$/, '');
export const resolve = (path: string): string => path;
export const gunzipSync = unavailable('zlib');

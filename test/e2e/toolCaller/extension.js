/* global require, module */
// Calls a language model tool through vscode.lm, as an assistant in agent mode does, and writes what came back.
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('tokenwiseTest.invokeTokenTool', async () => {
      const folder = vscode.workspace.workspaceFolders[0].uri;
      const { tool, input } = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'tool-input.json'))));
      const listed = vscode.lm.tools.find((t) => t.name === tool);
      let answer;
      try {
        const result = await vscode.lm.invokeTool(tool, { input, toolInvocationToken: undefined });
        answer = { text: result.content.map((part) => part.value).join('') };
      } catch (e) {
        answer = { error: e instanceof Error ? e.message : String(e) };
      }
      answer.listed = listed ? { name: listed.name, description: listed.description, tags: listed.tags, inputSchema: listed.inputSchema } : null;
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'tool-output.json'), new TextEncoder().encode(JSON.stringify(answer)));
    }),
  );
}

module.exports = { activate };

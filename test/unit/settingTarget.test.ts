/** Toggle Token Highlighting writes where the value is set, so that a workspace value does not make it do nothing. */
import assert from 'node:assert/strict';
import { levelToWrite } from '../../src/vscode/settingTarget';

describe('the level a toggle writes to', () => {
  it('is the most specific level that sets the value, else the user settings', () => {
    assert.equal(levelToWrite({ workspaceFolderValue: true, workspaceValue: false }), 'workspaceFolder');
    assert.equal(levelToWrite({ workspaceValue: false }), 'workspace');
    assert.equal(levelToWrite({}), 'global');
    assert.equal(levelToWrite(undefined), 'global');
  });
});

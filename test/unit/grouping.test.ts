/** The pickers list groups in order and, inside a group, names in order with their numbers read as numbers. */
import assert from 'node:assert/strict';
import { inGroups } from '../../src/vscode/grouping';

describe('picker groups', () => {
  it('sorts by group, then by name inside it, numbers as numbers', () => {
    const models = ['OpenAI/GPT-4.1', 'Anthropic/Claude Sonnet 4', 'OpenAI/GPT-4o', 'OpenAI/GPT-10', 'OpenAI/GPT-4', 'Anthropic/Claude Haiku 3.5'].map((s) => s.split('/'));
    assert.deepEqual(inGroups(models, (m) => m[0], (m) => m[1]).map((m) => m[1]), ['Claude Haiku 3.5', 'Claude Sonnet 4', 'GPT-4', 'GPT-4.1', 'GPT-4o', 'GPT-10']);
  });
});

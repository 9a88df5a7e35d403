import * as assert from 'node:assert/strict';
import { csvField, csvRecords } from '../../src/core/text/csv';

describe('CSV', () => {
  it('quotes what must be quoted, and nothing else', () => {
    assert.deepEqual(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 42, true, undefined].map(csvField), ['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"', '42', 'true', '']);
  });

  it('keeps a spreadsheet from running text as a formula, and numbers as numbers', () => {
    assert.deepEqual(['=cmd|x', '+1+1', '@SUM(A1)', '-x', '-12', '-0.5000', '+3'].map(csvField), ["'=cmd|x", "'+1+1", "'@SUM(A1)", "'-x", '-12', '-0.5000', '+3']);
    assert.equal(csvField(-3), '-3');
  });

  it('ends every record with CRLF', () => {
    assert.equal(csvRecords([['a', 1], ['b', 2]]), 'a,1\r\nb,2\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { safeCell, toCsv } from '../../src/core/csv.js';

describe('CSV cells', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-cmd', "'-cmd"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['plain', 'plain'],
    ['-12.5', '-12.5'],
    ['+3', '+3'],
    ['', ''],
  ])('%j → %j', (input, out) => {
    expect(safeCell(input)).toBe(out);
  });

  it('keeps numbers as numbers and quotes as the writer does', () => {
    expect(toCsv([[-5, 0.25, '=A1', 'a,b']])).toBe(`-5,0.25,'=A1,"a,b"\n`);
  });
});

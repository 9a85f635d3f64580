import { describe, expect, it } from 'vitest';
import { datasetFromColumns, DEFAULT_MISSING_VALUES, inferJsonColumn, inferTextColumn, selectColumns } from './inferColumns';

const missing = new Set(DEFAULT_MISSING_VALUES);

describe('inferTextColumn', () => {
  it('takes the narrowest type every present value fits', () => {
    expect(inferTextColumn(['1', '-2', '+3'], missing)).toEqual({ type: 'int', cells: [1, -2, 3] });
    expect(inferTextColumn(['1', '2.5', '1e3', '.5'], missing)).toEqual({ type: 'float', cells: [1, 2.5, 1000, 0.5] });
    expect(inferTextColumn(['true', 'FALSE', 'True'], missing)).toEqual({ type: 'bool', cells: [true, false, true] });
    expect(inferTextColumn(['1', 'two'], missing)).toEqual({ type: 'string', cells: ['1', 'two'] });
  });

  it('reads missing values as null, trimming only to recognise numbers, booleans and missing values', () => {
    expect(inferTextColumn([' 4 ', '', 'NA', '  '], missing)).toEqual({ type: 'int', cells: [4, null, null, null] });
    expect(inferTextColumn([' a ', 'N/A'], missing)).toEqual({ type: 'string', cells: [' a ', null] });
    expect(inferTextColumn(['', ''], missing)).toEqual({ type: 'string', cells: [null, null] });
    expect(inferTextColumn(['NA', '1'], new Set(['']))).toEqual({ type: 'string', cells: ['NA', '1'] });
  });

  it('keeps codes with leading zeros, huge integers and non-finite numbers as text', () => {
    expect(inferTextColumn(['0313', '5007'], missing).type).toBe('string');
    expect(inferTextColumn(['0', '0.5', '-0'], missing).type).toBe('float');
    expect(inferTextColumn(['12345678901234567890'], missing)).toEqual({ type: 'string', cells: ['12345678901234567890'] });
    expect(inferTextColumn(['Infinity', '1'], missing).type).toBe('string');
    expect(inferTextColumn(['1e999'], missing).type).toBe('string');
  });
});

describe('inferJsonColumn', () => {
  it('types JSON values, absent keys and null as missing', () => {
    expect(inferJsonColumn([1, 2, undefined, null])).toEqual({ type: 'int', cells: [1, 2, null, null], mixed: false });
    expect(inferJsonColumn([1, 2.5])).toEqual({ type: 'float', cells: [1, 2.5], mixed: false });
    expect(inferJsonColumn([true, null])).toEqual({ type: 'bool', cells: [true, null], mixed: false });
  });

  it('reads a column of mixed types as strings and says so', () => {
    expect(inferJsonColumn([1, 'a', true])).toEqual({ type: 'string', cells: ['1', 'a', 'true'], mixed: true });
  });
});

describe('datasetFromColumns and selectColumns', () => {
  it('marks exactly the columns with missing values nullable', () => {
    const ds = datasetFromColumns(['x', 's'], [inferTextColumn(['1', ''], missing), inferTextColumn(['a', 'b'], missing)], 's');
    expect(ds).toEqual({
      columns: [
        { name: 'x', type: 'number', nullable: true },
        { name: 's', type: 'string' },
      ],
      rows: [
        [1, 'a'],
        [null, 'b'],
      ],
      target: 's',
    });
  });

  it('keeps the listed columns in the listed order, refusing unknown or repeated names', () => {
    expect(selectColumns(['a', 'b', 'c'], undefined, 'f.csv')).toEqual([0, 1, 2]);
    expect(selectColumns(['a', 'b', 'c'], ['c', 'a'], 'f.csv')).toEqual([2, 0]);
    expect(() => selectColumns(['a', 'b'], ['z'], 'f.csv')).toThrow('f.csv: no column "z" to keep (columns: a, b)');
    expect(() => selectColumns(['a', 'b'], ['a', 'a'], 'f.csv')).toThrow(/column "a" is listed twice/);
  });
});

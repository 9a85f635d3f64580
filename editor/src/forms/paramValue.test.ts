import { describe, expect, it } from 'vitest';
import { formatParamValue, parseParamField, portHint } from './paramValue';

describe('parameter field values', () => {
  it('parses by type with the DSL rules', () => {
    expect(parseParamField('3', { kind: 'parameter', type: 'int' })).toEqual({ kind: 'value', value: 3 });
    expect(parseParamField('2.5', { kind: 'parameter', type: 'int' })).toMatchObject({ kind: 'error', error: expect.stringMatching(/integer/) as unknown });
    expect(parseParamField('[1,2]', { kind: 'parameter', type: 'list<int>' })).toEqual({ kind: 'value', value: [1, 2] });
    expect(parseParamField('1,2', { kind: 'parameter', type: 'list<int>' })).toMatchObject({ kind: 'error', error: expect.stringMatching(/JSON list/) as unknown });
    expect(parseParamField('true', { kind: 'parameter', type: 'bool' })).toEqual({ kind: 'value', value: true });
  });

  it('treats empty text as unset: fine with a default, an error when required', () => {
    expect(parseParamField('', { kind: 'parameter', type: 'int', default: 3 })).toEqual({ kind: 'empty' });
    expect(parseParamField('', { kind: 'parameter', type: 'int' })).toEqual({ kind: 'error', error: 'required: give a int value' });
    expect(parseParamField(' ', { kind: 'parameter', type: 'string' })).toEqual({ kind: 'value', value: ' ' });
    expect(parseParamField('', { kind: 'artifact', type: 'Dataset' })).toMatchObject({ kind: 'error' });
    expect(parseParamField('a1', { kind: 'artifact', type: 'Dataset' })).toEqual({ kind: 'value', value: 'a1' });
  });

  it('formats values for display and describes ports', () => {
    expect(formatParamValue('abc', 'string')).toBe('abc');
    expect(formatParamValue([1, 2], 'list<int>')).toBe('[1,2]');
    expect(formatParamValue(undefined, 'int')).toBe('');
    expect(portHint({ kind: 'parameter', type: 'int', default: 100 })).toBe('int, default 100');
    expect(portHint({ kind: 'parameter', type: 'float' })).toBe('float, required');
  });
});

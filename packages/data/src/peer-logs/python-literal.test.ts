import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, PythonLiteralError } from './python-literal.js';

describe('parsePythonLiteral', () => {
  it.each([
    ["{'input_tokens': 41, 'output_tokens': 17}", { input_tokens: 41, output_tokens: 17 }],
    ["{'a': None, 'b': True, 'c': False, 'd': -1.5e-05}", { a: null, b: true, c: false, d: -1.5e-5 }],
    ["(1, 2.5, None)", [1, 2.5, null]],
    ["['x', \"y\", '''z''']", ['x', 'y', 'z']],
    ["'it\\'s \"A\"'", 'it\'s "A"'],
    ["'tab\\there \\x41\\u00e9'", 'tab\there Aé'],
    ["r'\\boxed{7}'", '\\boxed{7}'],
    ["{1: 'one', 'nested': {'list': [1, [2, (3,)]]}}", { '1': 'one', nested: { list: [1, [2, [3]]] } }],
    ['  {}  ', {}],
  ])('reads %s', (text, expected) => {
    expect(parsePythonLiteral(text)).toEqual(expected);
  });

  it.each([
    ["{'a': 1", 'before the dict is closed'],
    ["{'a': __import__('os')}", 'is a name'],
    ["{'a': 1} extra", 'after the value'],
    ["'unterminated", 'not closed'],
    ['{"a" 1}', 'expected ":"'],
    ['1 + 2', 'after the value'],
  ])('refuses %s', (text, problem) => {
    expect(() => parsePythonLiteral(text)).toThrow(PythonLiteralError);
    expect(() => parsePythonLiteral(text)).toThrow(problem);
  });
});

import { describe, expect, it } from 'vitest';
import { Decimal, StructuredFieldError, Token, parseDictionary, serializeDictionary } from './sfv.js';
import type { InnerList, Item } from './sfv.js';

const roundTrip = (text: string) => serializeDictionary(parseDictionary(text));

describe('RFC 8941 dictionaries', () => {
  it('parses the RFC 8941 §3.2 examples and serializes them canonically', () => {
    const d = parseDictionary('en="Applepie", da=:w4ZibGV0w6ZydGU=:');
    expect((d.get('en') as Item).value).toBe('Applepie');
    expect(Buffer.from((d.get('da') as Item).value as Uint8Array).toString('utf8')).toBe('Æbletærte');
    expect(roundTrip('a=?0, b, c; foo=bar')).toBe('a=?0, b, c;foo=bar');
    expect(roundTrip('rating=1.5, feelings=(joy sadness)')).toBe('rating=1.5, feelings=(joy sadness)');
  });

  it('keeps tokens, strings, integers and decimals apart', () => {
    const d = parseDictionary('t=abc/def:1, s="abc", i=-42, f=2.0, b=?1');
    expect((d.get('t') as Item).value).toBeInstanceOf(Token);
    expect((d.get('s') as Item).value).toBe('abc');
    expect((d.get('i') as Item).value).toBe(-42);
    expect((d.get('f') as Item).value).toBeInstanceOf(Decimal);
    expect(serializeDictionary(d)).toBe('t=abc/def:1, s="abc", i=-42, f=2.0, b');
  });

  it('re-serializes a Signature-Input member with its parameters in order', () => {
    const input = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
    const list = parseDictionary(input).get('sig-b26') as InnerList;
    expect(list.kind).toBe('list');
    expect(list.items.map((i) => i.value)).toEqual(['date', '@method', '@path', '@authority', 'content-type', 'content-length']);
    expect([...list.params.keys()]).toEqual(['created', 'keyid']);
    expect(roundTrip(input)).toBe(input);
  });

  it('normalizes optional whitespace and escapes strings', () => {
    expect(roundTrip('  a=("x"   "y"; req;key="k")  ,b="q\\"\\\\"  ')).toBe('a=("x" "y";req;key="k"), b="q\\"\\\\"');
  });

  it.each([
    ['a=1,', 'trailing comma'],
    ['A=1', 'upper-case key'],
    ['a="\\x"', 'bad escape'],
    ['a="é"', 'non-ASCII string'],
    ['a=1234567890123456', '16-digit integer'],
    ['a=1.2345', 'four fractional digits'],
    ['a=1.', 'decimal without fraction'],
    ['a=(1 2', 'unterminated inner list'],
    ['a=1 b=2', 'missing comma'],
    ['a=1, a=2', 'repeated key'],
    ['a=1;p=1;p=2', 'repeated parameter'],
    ['a=:YWJj*:', 'non-base64 byte sequence'],
    ['a=?2', 'bad boolean'],
    ['a=("y" ;req)', 'space before a parameter'],
  ])('refuses %s (%s)', (text) => {
    expect(() => parseDictionary(text)).toThrow(StructuredFieldError);
  });

  it('accepts the empty field as an empty dictionary', () => {
    expect(parseDictionary('').size).toBe(0);
  });
});

import { describe, expect, it } from '@jest/globals';
import { copyJson } from './json-copy.js';

describe('copyJson', () => {
  const answer = JSON.parse('{"data":{"a":[1,"x",null,true,{"b":[{"c":2.5}]}],"empty":{},"list":[]},"errors":[{"message":"m","path":["a",0],"extensions":{"code":"X"}}]}');

  it('copies every value, nested objects and arrays included, and primitives as they are', () => {
    expect(copyJson(answer)).toEqual(answer);
    for (const v of [null, 0, -1.5, '', 'text', true, false]) expect(copyJson(v)).toBe(v);
  });

  it('shares no object or array with the original: editing the copy leaves it unchanged', () => {
    const before = JSON.stringify(answer);
    const copy = copyJson(answer);
    copy.data.a[4].b[0].c = 99;
    copy.data.a.push('more');
    copy.data.empty.added = 1;
    copy.errors[0].path.pop();
    expect(JSON.stringify(answer)).toBe(before);
    expect(copy.data.a).not.toBe(answer.data.a);
  });

  it('keeps the order of keys, so the copy serializes to the same text', () => {
    const text = '{"z":1,"a":{"y":[3,2,1],"b":null},"m":"文字"}';
    expect(JSON.stringify(copyJson(JSON.parse(text)))).toBe(text);
  });

  it('keeps a key named __proto__ as an own property, never as the prototype', () => {
    const hostile = JSON.parse('{"__proto__":{"polluted":true},"ok":1}');
    const copy = copyJson(hostile);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":true},"ok":1}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

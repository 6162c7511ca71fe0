import { describe, expect, it } from '@jest/globals';
import { etagOf, notModified } from './conditional-get.js';

describe('etagOf', () => {
  it('is a quoted tag, equal for equal bodies and different for different ones', () => {
    expect(etagOf('{"data":1}')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(etagOf('{"data":1}')).toBe(etagOf('{"data":1}'));
    expect(etagOf('{"data":1}')).not.toBe(etagOf('{"data":2}'));
  });
});

describe('notModified', () => {
  const tag = etagOf('x');
  it('matches the tag, a weak form of it, one of a list, or *', () => {
    expect(notModified(tag, tag)).toBe(true);
    expect(notModified(`W/${tag}`, tag)).toBe(true);
    expect(notModified(`"other", ${tag}`, tag)).toBe(true);
    expect(notModified('*', tag)).toBe(true);
  });
  it('does not match another tag or no header', () => {
    expect(notModified('"other"', tag)).toBe(false);
    expect(notModified(undefined, tag)).toBe(false);
    expect(notModified('', tag)).toBe(false);
  });
});

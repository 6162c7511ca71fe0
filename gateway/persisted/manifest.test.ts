import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { operationId, rememberingOperationId } from './manifest.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('operationId', () => {
  it('is the SHA-256 of the body, as APQ clients send it', () => {
    expect(operationId('{ a }')).toBe(sha256('{ a }'));
  });
});

describe('rememberingOperationId', () => {
  it('answers what operationId answers, for bodies seen again, past its bound, and too long to keep', () => {
    const idOf = rememberingOperationId(4_000);
    const bodies = Array.from({ length: 40 }, (_, i) => `query Q${i} { assets(first: ${i}) { totalCount } }`);
    const long = `query Long { ${'a '.repeat(20_000)}}`;
    // Each round holds more bytes than the bound, so the oldest bodies are evicted over and over.
    for (let round = 0; round < 3; round++) {
      for (const body of [...bodies, long]) expect(idOf(body)).toBe(sha256(body));
    }
    expect(idOf('')).toBe(sha256(''));
  });

  it('keeps separate memories apart', () => {
    const a = rememberingOperationId();
    const b = rememberingOperationId();
    expect(a('{ x }')).toBe(b('{ x }'));
    expect(a('{ y }')).not.toBe(a('{ x }'));
  });
});

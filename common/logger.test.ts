import { describe, expect, it } from '@jest/globals';
import { logFormat } from './logger.js';

describe('logFormat', () => {
  it('is JSON unless told otherwise, pretty on request, and refuses anything else at start-up', () => {
    expect(logFormat({})).toBe('json');
    expect(logFormat({ XIETONG_LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(() => logFormat({ XIETONG_LOG_FORMAT: 'xml' })).toThrow(/must be "json" or "pretty", got "xml"/);
  });
});

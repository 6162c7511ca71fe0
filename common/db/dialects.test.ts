import { describe, expect, it } from '@jest/globals';
import { redact } from './dialects.js';

describe('redact', () => {
  it.each([
    ['postgres://xietong:secret@127.0.0.1:5432/db', 'postgres://xietong:***@127.0.0.1:5432/db'],
    ['postgres://xietong:Top@Secret2@127.0.0.1:5432/db', 'postgres://xietong:***@127.0.0.1:5432/db'],
    ['postgres://:TopSecret4@127.0.0.1:5432/db', 'postgres://:***@127.0.0.1:5432/db'],
    ['postgres://127.0.0.1:5432/db?user=xietong&password=TopSecret3', 'postgres://127.0.0.1:5432/db?user=xietong&password=***'],
    ['mysql://root@127.0.0.1:3306/', 'mysql://root@127.0.0.1:3306/'],
    ['sqlite:data/p@ss.sqlite', 'sqlite:data/p@ss.sqlite'],
  ])('hides the password of %s', (url, shown) => {
    expect(redact(url)).toBe(shown);
    expect(redact(url)).not.toMatch(/Secret|secret(?!\.)/);
  });
});

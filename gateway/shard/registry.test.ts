import { describe, expect, it } from '@jest/globals';
import { ProvinceRegistry } from './registry.js';

const at = (code: string, host = 'a') => ({ code, url: `http://${host}.example/${code}` });

describe('ProvinceRegistry.codes', () => {
  it('lists the registered codes in order and keeps the same array while nothing changes', () => {
    const registry = new ProvinceRegistry([at('510000'), at('110000'), at('310000')]);
    const codes = registry.codes();
    expect(codes).toEqual(['110000', '310000', '510000']);
    expect(registry.codes()).toBe(codes);
    expect(Object.isFrozen(codes)).toBe(true);
  });

  it('follows every change: a registration, a replacement of all, a removal', () => {
    const registry = new ProvinceRegistry([at('310000')]);
    registry.codes();
    registry.register(at('110000'));
    expect(registry.codes()).toEqual(['110000', '310000']);
    registry.replaceAll([at('500000'), at('440000')]);
    expect(registry.codes()).toEqual(['440000', '500000']);
    expect(registry.list().map((e) => e.code)).toEqual(['440000', '500000']);
    registry.unregister('440000');
    expect(registry.codes()).toEqual(['500000']);
    registry.unregister('440000');
    expect(registry.codes()).toEqual(['500000']);
  });

  it('lists a re-registered province at its new address', () => {
    const registry = new ProvinceRegistry([at('310000', 'old')]);
    registry.codes();
    registry.register(at('310000', 'new'));
    expect(registry.list()).toEqual([at('310000', 'new')]);
  });

  it('announces a replacement only when the endpoints differ', () => {
    const registry = new ProvinceRegistry([at('310000'), at('110000')]);
    const changes: string[] = [];
    registry.on('change', (code: string) => changes.push(code));
    registry.replaceAll([at('110000'), at('310000')]);
    expect(changes).toEqual([]);
    registry.replaceAll([at('110000')]);
    expect(changes).toEqual(['*']);
  });
});

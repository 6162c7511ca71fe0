import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayCodeVersion, treeDigest } from './code-version.js';
import { createLogger } from '../../common/logger.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'xt-code-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('treeDigest', () => {
  const roots: string[] = [];
  const make = (files: Record<string, string>) => {
    const root = tree(files);
    roots.push(root);
    return root;
  };
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  const base = { 'a.js': 'export const a = 1;', 'shard/merge.js': 'export const merge = 1;' };

  it('is the same for the same files wherever they lie, whatever order they were written in', () => {
    const reversed = Object.fromEntries(Object.entries(base).reverse());
    expect(treeDigest([make(base)])).toBe(treeDigest([make(reversed)]));
  });

  it('changes when a file changes, is added, or is renamed', () => {
    const before = treeDigest([make(base)]);
    expect(treeDigest([make({ ...base, 'shard/merge.js': 'export const merge = 2;' })])).not.toBe(before);
    expect(treeDigest([make({ ...base, 'shard/extra.js': '' })])).not.toBe(before);
    const renamed = make(base);
    renameSync(join(renamed, 'a.js'), join(renamed, 'b.js'));
    expect(treeDigest([renamed])).not.toBe(before);
  });

  it('follows symbolic links, reading a directory linked twice once', () => {
    const target = make({ 'inner.js': 'export {};' });
    const linked = make({ 'a.js': '1' });
    symlinkSync(target, join(linked, 'lib'));
    symlinkSync(linked, join(linked, 'loop'));
    const copied = make({ 'a.js': '1', 'lib/inner.js': 'export {};' });
    expect(treeDigest([linked])).toBe(treeDigest([copied]));
  });

  it('tells which root a file is under', () => {
    const one = make({ 'x.js': '1' });
    const two = make({ 'y.js': '2' });
    expect(treeDigest([one, two])).not.toBe(treeDigest([two, one]));
  });
});

describe('gatewayCodeVersion', () => {
  it('is a stable digest of this checkout and its installed packages', () => {
    const logger = createLogger('test');
    expect(gatewayCodeVersion(logger)).toMatch(/^[0-9a-f]{64}$/);
    expect(gatewayCodeVersion(logger)).toBe(gatewayCodeVersion(logger));
  });
});

import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { cellAt, columnName, pageOf, tableShape } from './table.js';
import { PassThrough } from 'node:stream';
import { defuse, htmlWriter } from './writers.js';

const shapeOf = (doc: string, name?: string) => tableShape(parse(doc), name)!;

describe('tableShape', () => {
  it("takes a connection's node leaves as columns, fragments and aliases included, and knows how to page it", () => {
    const shape = shapeOf(`query Q($after: String, $n: Int) { __typename list: assets(first: $n, after: $after) { totalCount
      edges { node { id ...F agency { name } } } pageInfo { hasNextPage endCursor } } }
      fragment F on Asset { value: originalValue agency { id } }`);
    expect(shape).toMatchObject({ field: 'list', rows: 'edges', afterVariable: 'after', firstVariable: 'n', pageable: true });
    expect(shape.columns.map((c) => columnName(c, shape))).toEqual(['id', 'value', 'agency.id', 'agency.name']);
  });

  it("pages the audit trail's connection too: nodes, with hasNextPage and endCursor on itself", () => {
    const shape = shapeOf('query Q($after: String) { auditEvents(after: $after) { nodes { id role } endCursor hasNextPage } }');
    expect(shape).toMatchObject({ rows: 'nodes', columns: [['id'], ['role']], pageable: true });
    expect(pageOf(shape, { auditEvents: { nodes: [{ id: '1', role: 'ANALYST' }], endCursor: '1', hasNextPage: true } })).toEqual({
      rows: [['1', 'ANALYST']],
      more: true,
      endCursor: '1',
      totalCount: undefined,
    });
  });

  it('a connection is not pageable without an after variable or without pageInfo', () => {
    expect(shapeOf('{ assets(first: 5) { edges { node { id } } pageInfo { hasNextPage endCursor } } }').pageable).toBe(false);
    expect(shapeOf('query Q($a: String) { assets(after: $a) { edges { node { id } } } }').pageable).toBe(false);
    expect(shapeOf('query Q($a: String) { assets(after: $a) { edges { node { id } } pageInfo { more: hasNextPage endCursor } } }').pageable).toBe(false);
  });

  it("takes a breakdown's group leaves, a list's items or one object; several operations need a name", () => {
    expect(shapeOf('{ energyBreakdown(from: 2024, to: 2025) { coverage { complete } groups { year kgce } } }')).toMatchObject({ rows: 'groups', columns: [['year'], ['kgce']] });
    expect(shapeOf('{ provinces { code regions { code } } }')).toMatchObject({ rows: 'value', columns: [['code'], ['regions', 'code']] });
    expect(tableShape(parse('query A { provinces { code } } query B { regions { code } }'))).toBeUndefined();
    expect(tableShape(parse('query A { provinces { code } } query B { regions { code } }'), 'B')).toMatchObject({ field: 'regions' });
  });
});

describe('cells', () => {
  it('are empty under a null, joined under a list, and the same for every row whatever it holds', () => {
    expect(cellAt({ agency: null }, ['agency', 'name'])).toBeNull();
    expect(cellAt({ provinces: ['310000', '320000'] }, ['provinces'])).toBe('310000; 320000');
    expect(cellAt({ regions: [{ code: 'YRD' }, { code: 'CY' }] }, ['regions', 'code'])).toBe('YRD; CY');
    // Two columns under one list keep their slots, so their n-th values belong to one item.
    const fleet = {
      vehicles: [
        { plate: 'A', model: 'X' },
        { plate: 'B', model: null },
        { plate: 'C', model: 'Z' },
      ],
    };
    expect([cellAt(fleet, ['vehicles', 'plate']), cellAt(fleet, ['vehicles', 'model'])]).toEqual(['A; B; C', 'X; ; Z']);
    const shape = shapeOf('query Q($after: String) { assets(after: $after) { edges { node { id agency { name } } } pageInfo { hasNextPage endCursor } } }');
    const page = pageOf(shape, {
      assets: {
        edges: [{ node: { id: 'a', agency: null } }, { node: { id: 'b', agency: { name: '江苏省机关事务管理局' } } }],
        pageInfo: { hasNextPage: true, endCursor: 'c2' },
      },
    });
    expect(page).toEqual({
      rows: [
        ['a', null],
        ['b', '江苏省机关事务管理局'],
      ],
      more: true,
      endCursor: 'c2',
      totalCount: undefined,
    });
    expect(pageOf(shape, { assets: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } })).toEqual({
      rows: [],
      more: false,
      endCursor: undefined,
      totalCount: undefined,
    });
  });

  it('a text cell a spreadsheet would run as a formula is written as text', () => {
    expect(['=1+1', '+86 10', '-2', '@SUM(A1)', 'plain', -2, null].map(defuse)).toEqual(["'=1+1", "'+86 10", "'-2", "'@SUM(A1)", 'plain', -2, null]);
  });
});

describe('the table view', () => {
  it('escapes every cell and header, so data never becomes markup', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = htmlWriter(out, ['name<'], 'T');
    await writer.rows([['<script>alert(1)</script>'], [12.5], [null]]);
    await writer.end();
    const html = Buffer.concat(chunks).toString('utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>&#60;script&#62;alert(1)&#60;/script&#62;</td>');
    expect(html).toContain('<th>name&#60;</th>');
    expect(html).toContain('<td class="n">12.5</td>');
  });
});

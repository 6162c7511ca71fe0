import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse, print } from 'graphql';
import { SUPERGRAPH_PATH } from '../../common/subgraphs.js';
import type { Principal } from '../../common/auth/principal.js';
import { readShardRules } from '../shard/rules.js';
import { filterOperation, patchRemoved } from './field-rules.js';

const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));
const filter = (query: string, principal: Principal) => filterOperation(parse(query), undefined, rules.schema, rules, principal);
const coordinator: Principal = { sub: 'c', role: 'REGION_COORDINATOR', region: 'YRD' };

describe('field rules', () => {
  it('leaves an operation the role may run untouched', () => {
    const document = parse('{ vehicles { edges { node { id plateNumber } } } }');
    expect(filterOperation(document, undefined, rules.schema, rules, { sub: 'a', role: 'NATIONAL_ADMIN' }).document).toBe(document);
  });

  it('takes out fields of classes the role lacks, through fragments, and drops variables left unused', () => {
    const r = filter(
      'query($a: ID) { agency(id: $a) { name ...C } vehicles { edges { node { id assignedDriver } } } } fragment C on Agency { contactPerson contactPhone }',
      coordinator,
    );
    expect(r.removed.map((x) => [x.path.join('.'), x.dataClass])).toEqual([
      ['agency.contactPerson', 'personal'],
      ['agency.contactPhone', 'personal'],
      ['vehicles.edges.node.assignedDriver', 'personal'],
    ]);
    expect(print(r.document)).not.toMatch(/contactPerson|assignedDriver|fragment/);
    expect(print(r.document)).toContain('$a');
  });

  it('keeps a selection set valid when everything in it is removed, with a placeholder the answer loses again', () => {
    const r = filter('{ agency(id: "x") { contactPhone } }', coordinator);
    expect(print(r.document)).toMatch(/agency\(id: "x"\) \{\s+xietongRemovedFields: __typename\s+\}/);
    const data = { agency: { xietongRemovedFields: 'Agency' } };
    const errors = patchRemoved(data, r.removed, r.placeholders);
    expect(data).toEqual({ agency: { contactPhone: null } });
    expect(errors.map((e) => e.path)).toEqual([['agency', 'contactPhone']]);
  });

  it('refuses a mutation outright', () => {
    const r = filter('mutation { setAssetStatus(input: { assetId: "x", status: IDLE }) { asset { id } } }', coordinator);
    expect(r.refusedRoot).toEqual({ path: ['setAssetStatus'], dataClass: 'write' });
  });

  it('answers every place of a removed field with null and a FORBIDDEN error', () => {
    const data = { vehicles: { edges: [{ node: { id: 1 } }, { node: { id: 2 } }] } } as Record<string, unknown>;
    const errors = patchRemoved(data, [{ path: ['vehicles', 'edges', 'node', 'assignedDriver'], dataClass: 'personal' }]);
    expect(data).toEqual({ vehicles: { edges: [{ node: { id: 1, assignedDriver: null } }, { node: { id: 2, assignedDriver: null } }] } });
    expect(errors.map((e) => e.path)).toEqual([
      ['vehicles', 'edges', 0, 'node', 'assignedDriver'],
      ['vehicles', 'edges', 1, 'node', 'assignedDriver'],
    ]);
  });
});

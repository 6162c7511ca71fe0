import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse, type FieldNode, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_PATH } from '../../common/subgraphs.js';
import { WITHHELD } from '../../common/disclosure.js';
import { FAMILIES } from './fetch-document.js';
import { readShardRules } from './rules.js';
import { discloseSummaries } from './summary-disclosure.js';

const rules = readShardRules(readFileSync(SUPERGRAPH_PATH, 'utf8'));
const type = rules.schema.getType('VehicleSummary') as GraphQLObjectType;
const selection = (fields: string) => (parse(`{ x { ${fields} } }`).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
const nobody = { minAgencies: 3, knows: () => ({ all: false, some: 0 }) };
const family = (province: string, fields: string[], agencyCount: number, line: string | null = null, published = true) => ({ province, fields, agencyCount, line, published });

describe('discloseSummaries', () => {
  it("withholds a ratio whose part is withheld, though its own family is not (A's vehicles from a share over A and B)", () => {
    const value = {
      vehicleCount: 40,
      newEnergyCount: 10,
      share: 0.25,
      withheld: [],
      [FAMILIES]: [
        family('A', ['vehicleCount', 'totalPriceYuan'], 2),
        family('B', ['vehicleCount', 'totalPriceYuan'], 9),
        family('B', ['newEnergyCount', 'newEnergyShare'], 5, 'energy'),
      ],
    };
    discloseSummaries(rules, type, selection('vehicleCount newEnergyCount share: newEnergyShare withheld { field reason }').selectionSet, value, nobody);
    expect(value).toMatchObject({
      vehicleCount: null,
      newEnergyCount: 10,
      share: null,
      withheld: [
        { field: 'newEnergyShare', reason: WITHHELD.small(3) },
        { field: 'totalPriceYuan', reason: WITHHELD.small(3) },
        { field: 'vehicleCount', reason: WITHHELD.small(3) },
      ],
    });
  });

  it('hides the next smallest family of a line whose hidden part is small, and nothing from a caller that reads the province', () => {
    const families = [
      family('A', ['vehicleCount'], 12),
      family('A', ['emergencyCount'], 1, 'category'),
      family('A', ['otherCount'], 4, 'category'),
      family('A', ['lawEnforcementCount'], 9, 'category'),
    ];
    const ask = (knows: typeof nobody.knows) => {
      const value: Record<string, unknown> = { vehicleCount: 30, emergencyCount: 1, otherCount: 6, lawEnforcementCount: 23, withheld: [], [FAMILIES]: families };
      discloseSummaries(rules, type, selection('vehicleCount emergencyCount otherCount lawEnforcementCount withheld { field }').selectionSet, value, { minAgencies: 3, knows });
      return value;
    };
    expect(ask(nobody.knows)).toMatchObject({ vehicleCount: 30, emergencyCount: null, otherCount: null, lawEnforcementCount: 23 });
    expect(ask(() => ({ all: true, some: 0 }))).toMatchObject({ emergencyCount: 1, otherCount: 6, withheld: [] });
  });
});

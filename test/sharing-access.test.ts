import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { TEST_REGIONS } from './helpers.js';
import type { Principal } from '../common/auth/principal.js';
import { REPO_ROOT } from '../common/subgraphs.js';
import type { DemoStack } from '../demo/demo-stack.js';
import { Repository } from '../subgraphs/province/repository.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import type { BookingRow, TransferRow } from '../subgraphs/sharing/db/schema.js';
import { gatewayOptionsFor, gql, post, startTestStack, tokenFor } from './helpers.js';
import { readManifest } from '../gateway/persisted/manifest.js';
import { startGateway } from '../gateway/server.js';

/*
 * Access to the sharing workflows, generated from schema/sharing.graphql: every root field and
 * entity relation that yields transfers or bookings, for every role (and bindings inside and
 * outside the data), compared with an oracle written here from the raw rows and the rule in
 * the README ("a national administrator all; a coordinator those touching its region; a
 * province administrator those touching its province; an officer those of its agency; others
 * none"), and every mutation for the roles that may change nothing.
 */
const PROVINCES = ['310000', '320000', '340000', '110000'];
let stack: DemoStack;
let agencies: Record<string, string[]>;
const HOUR = 3_600_000;

// The sharing subgraph's own schema: the roots and relations to walk come from here.
const sdl = readFileSync(join(REPO_ROOT, 'schema', 'sharing.graphql'), 'utf8')
  .replace(/extend schema[\s\S]*?@composeDirective\(name: "@access"\)/, '')
  .replace(/@key\([^)]*\)/g, '')
  .replace(/@shareable/g, '');
const schema = buildSchema(sdl);
const RECORD_TYPES = { AssetTransfer: 'transfer', VehicleBooking: 'booking' } as const;

/** The record type a field yields (directly, as a list, or as a connection's nodes), if any. */
function recordTypeOf(field: GraphQLField<unknown, unknown>): keyof typeof RECORD_TYPES | undefined {
  const named = getNamedType(field.type);
  if (named.name in RECORD_TYPES) return named.name as keyof typeof RECORD_TYPES;
  if (isObjectType(named) && named.getFields().edges) {
    const node = getNamedType((getNamedType(named.getFields().edges.type) as GraphQLObjectType).getFields().node.type);
    if (node.name in RECORD_TYPES) return node.name as keyof typeof RECORD_TYPES;
  }
  return undefined;
}

/** Every scalar and enum field of a type, the sensitive ones included. */
function scalars(type: GraphQLObjectType): string {
  return Object.values(type.getFields())
    .filter((f) => isScalarType(getNamedType(f.type)) || isEnumType(getNamedType(f.type)))
    .filter((f) => f.args.every((a) => !isNonNullType(a.type)))
    .map((f) => f.name)
    .join(' ');
}

/** A selection of a record with all its scalars and its history (actor included). */
function recordSelection(name: keyof typeof RECORD_TYPES): string {
  return `{ ${scalars(schema.getType(name) as GraphQLObjectType)} history { action role actor note } }`;
}

/** The selection of a field's records: a connection's nodes, a list, or one record. */
function selectionOf(field: GraphQLField<unknown, unknown>, record: keyof typeof RECORD_TYPES): string {
  const named = getNamedType(field.type);
  return named.name === record ? recordSelection(record) : `{ totalCount edges { node ${recordSelection(record)} } }`;
}

/** Arguments for a root field: a sample for each required one, and a page size. */
function argumentsOf(field: GraphQLField<unknown, unknown>, sampleId: string): string {
  const args = field.args.map((a) => {
    if (a.name === 'id') return `id: "${sampleId}"`;
    if (a.name === 'first') return 'first: 100';
    return undefined;
  });
  const required = field.args.filter((a) => isNonNullType(a.type) && a.name !== 'id');
  if (required.length) throw new Error(`no sample for ${field.name}(${required.map((a) => a.name).join(', ')})`);
  return args.filter(Boolean).length ? `(${args.filter(Boolean).join(', ')})` : '';
}

/** A valid value of an input type, generated from the schema (required fields only). */
function sample(type: GraphQLInputType): unknown {
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) return [sample(t.ofType)];
  if (isInputObjectType(t))
    return Object.fromEntries(
      Object.values(t.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sample(f.type)]),
    );
  if (isEnumType(t)) return t.getValues()[0].value;
  return { ID: '320000:AG-0000001', String: '2030-01-01T09:00:00+08:00', Int: 1, Float: 1, Boolean: true }[(t as { name: string }).name];
}

/** The oracle: which rows a principal may read, from the README's rule. */
function visible(p: Principal | null, kind: 'transfer' | 'booking', row: TransferRow | BookingRow): boolean {
  if (!p) return false;
  const provinces =
    kind === 'transfer'
      ? [(row as TransferRow).source_province, (row as TransferRow).target_province]
      : [(row as BookingRow).vehicle_province, (row as BookingRow).agency_province];
  const agenciesOf = kind === 'transfer' ? [(row as TransferRow).source_agency_id, (row as TransferRow).target_agency_id] : [(row as BookingRow).agency_id];
  switch (p.role) {
    case 'NATIONAL_ADMIN':
      return true;
    case 'REGION_COORDINATOR':
      return provinces.some((c) => TEST_REGIONS.members(p.region!)!.includes(c));
    case 'PROVINCE_ADMIN':
      return provinces.includes(p.province!);
    case 'AGENCY_OFFICER':
      return agenciesOf.includes(p.agency!);
    default:
      return false;
  }
}

function principals(): [string, Principal | null][] {
  const officer = (agency: string): Principal => ({ sub: `officer-${agency}`, role: 'AGENCY_OFFICER', agency });
  return [
    ['national', { sub: 'n', role: 'NATIONAL_ADMIN' }],
    ['coordinator YRD', { sub: 'c-yrd', role: 'REGION_COORDINATOR', region: 'YRD' }],
    ['coordinator JJJ', { sub: 'c-jjj', role: 'REGION_COORDINATOR', region: 'JJJ' }],
    ...PROVINCES.map((c): [string, Principal] => [`admin ${c}`, { sub: `a-${c}`, role: 'PROVINCE_ADMIN', province: c }]),
    ...PROVINCES.flatMap((c) => agencies[c].slice(0, 2).map((a): [string, Principal] => [`officer ${a}`, officer(a)])),
    ['analyst', { sub: 'an', role: 'ANALYST' }],
    ['anonymous', null],
  ];
}

const ask = (p: Principal | null, query: string, variables?: Record<string, unknown>) => gql(stack.gateway.url, query, variables, { token: p ? tokenFor(p) : null });

beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, PROVINCES);
  agencies = {};
  for (const c of PROVINCES) {
    const r = new Repository(stack.databases.get(c)!);
    agencies[c] = (await r.db.selectFrom(r.source('agencies')).select('t.id').orderBy('t.id').execute()).map((a) => a.id);
  }
  const national: Principal = { sub: 'n', role: 'NATIONAL_ADMIN' };
  // Transfers: pooled assets of 上海, 江苏 and 北京 asked for by agencies of other provinces and of their own.
  for (const [source, receivers] of [
    ['310000', [agencies['340000'][0], agencies['320000'][1]]],
    ['320000', [agencies['320000'][0]]],
    ['110000', [agencies['310000'][0]]],
  ] as const) {
    const r = new Repository(stack.databases.get(source)!);
    const assets = await r.db
      .selectFrom(r.source('assets'))
      .select(['t.id', 't.agency_id'])
      .where('t.status', '=', 'IN_USE')
      .orderBy('t.id', 'desc')
      .limit(receivers.length)
      .execute();
    for (const [i, g] of receivers.entries()) {
      const a = assets[i];
      await ask(national, 'mutation($a: ID!) { setAssetStatus(input: { assetId: $a, status: IDLE }) { asset { id } } }', { a: a.id });
      await ask(national, 'mutation($a: ID!) { offerAssetToPool(input: { assetId: $a }) { asset { id } } }', { a: a.id });
      const req = await ask(national, 'mutation($a: ID!, $g: ID!) { requestAssetTransfer(input: { assetId: $a, agencyId: $g, reason: "需要" }) { transfer { id } } }', {
        a: a.id,
        g,
      });
      if (req.errors) throw new Error(JSON.stringify(req.errors));
      if (i === 0)
        await ask(national, 'mutation($t: ID!) { approveAssetTransfer(input: { transferId: $t }) { transfer { id } } }', { t: req.data!.requestAssetTransfer.transfer.id });
    }
  }
  // Bookings: agencies of several provinces booking vehicles of others.
  const vehicles = await stack.sharing.store.db.selectFrom('platform_vehicles').selectAll().orderBy('id').execute();
  const start = Date.now() + 24 * HOUR;
  let n = 0;
  for (const [booker, vehicleProvince] of [
    [agencies['340000'][0], '320000'],
    [agencies['310000'][1], '310000'],
    [agencies['110000'][0], '340000'],
    [agencies['320000'][0], '110000'],
  ] as const) {
    const v = vehicles.find((x) => x.province === vehicleProvince)!;
    const officer: Principal = { sub: `officer-${booker}`, role: 'AGENCY_OFFICER', agency: booker };
    const at = start + n++ * 3 * HOUR;
    const b = await ask(
      officer,
      'mutation($v: ID!, $g: ID!, $f: String!, $t: String!) { bookVehicle(input: { vehicleId: $v, agencyId: $g, from: $f, to: $t, purpose: "公务", passengers: 1 }) { booking { id } } }',
      {
        v: v.id,
        g: booker,
        f: new Date(at).toISOString(),
        t: new Date(at + HOUR).toISOString(),
      },
    );
    if (b.errors) throw new Error(JSON.stringify(b.errors));
  }
  await stack.sharing.saga.drain();
}, 120_000);
afterAll(() => stack?.stop());

describe('sharing workflows: every role × every root and relation that yields workflow records (generated from the schema)', () => {
  const query = schema.getQueryType()!;
  const roots = Object.values(query.getFields()).filter((f) => recordTypeOf(f));

  it('the schema offers the roots the walk expects', () => {
    expect(roots.map((f) => f.name).sort()).toEqual(['assetTransfer', 'assetTransfers', 'vehicleBooking', 'vehicleBookings']);
  });

  it('each root yields exactly the rows the oracle allows, with history actors for auditors only', async () => {
    const rows = {
      transfer: await stack.sharing.store.db.selectFrom('transfers').selectAll().execute(),
      booking: await stack.sharing.store.db.selectFrom('bookings').selectAll().execute(),
    };
    let compared = 0;
    for (const [who, p] of principals()) {
      for (const field of roots) {
        const record = recordTypeOf(field)!;
        const kind = RECORD_TYPES[record];
        const single = getNamedType(field.type).name === record;
        for (const sample of single ? rows[kind] : [rows[kind][0]]) {
          const result = await ask(p, `{ r: ${field.name}${argumentsOf(field, sample.id)} ${selectionOf(field, record)} }`);
          const mayRead = p !== null && !['ANALYST'].includes(p.role);
          if (!mayRead) {
            expect([who, field.name, result.errors?.[0]?.extensions?.code]).toEqual([who, field.name, 'FORBIDDEN']);
            continue;
          }
          // The only refusals: the actor of each history entry, for everyone but auditors.
          const refused = (result.errors ?? []).map((e) => `${e.extensions?.code} ${e.extensions?.class} ${String(e.path?.at(-1))}`);
          expect([who, field.name, [...new Set(refused)]]).toEqual([who, field.name, p.role === 'NATIONAL_ADMIN' || !refused.length ? [] : ['FORBIDDEN audit actor']]);
          const got: { id: string; status: string; history: { actor: string | null }[] }[] = single
            ? result.data!.r
              ? [result.data!.r]
              : []
            : result.data!.r.edges.map((e: { node: unknown }) => e.node);
          const expected = (single ? [sample] : rows[kind])
            .filter((row) => visible(p, kind, row))
            .map((row) => row.id)
            .sort();
          expect([who, field.name, got.map((g) => g.id).sort()]).toEqual([who, field.name, expected]);
          for (const g of got) {
            const raw = rows[kind].find((r) => r.id === g.id)!;
            expect([who, g.id, g.status]).toEqual([who, g.id, raw.status]);
            for (const h of g.history) expect([who, g.id, h.actor === null]).toEqual([who, g.id, p!.role !== 'NATIONAL_ADMIN']);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
  }, 120_000);

  it('the entity relations Asset.transfers and Vehicle.bookings yield the same rows the oracle allows', async () => {
    const transfers = await stack.sharing.store.db.selectFrom('transfers').selectAll().execute();
    const bookings = await stack.sharing.store.db.selectFrom('bookings').selectAll().execute();
    const assetType = schema.getType('Asset') as GraphQLObjectType;
    const vehicleType = schema.getType('Vehicle') as GraphQLObjectType;
    expect(Object.keys(assetType.getFields())).toContain('transfers');
    expect(Object.keys(vehicleType.getFields())).toContain('bookings');
    const agencyVehicleIds = [...new Set(bookings.map((b) => b.vehicle_id).filter((id) => /:VH-/.test(id)))];
    let compared = 0;
    for (const [who, p] of principals().filter(([, p]) => p && p.role !== 'ANALYST')) {
      for (const assetId of [...new Set(transfers.map((t) => t.asset_id))]) {
        const r = await ask(p, `query($a: ID!) { asset(id: $a) { id transfers ${recordSelection('AssetTransfer')} } }`, { a: assetId });
        // The asset itself follows the province's row rule; where it is visible, its transfers follow the oracle.
        if (!r.data?.asset) continue;
        const expected = transfers
          .filter((t) => t.asset_id === assetId && visible(p, 'transfer', t))
          .map((t) => t.id)
          .sort();
        expect([who, assetId, r.data.asset.transfers.map((t: { id: string }) => t.id).sort()]).toEqual([who, assetId, expected]);
        compared += expected.length;
      }
      for (const vehicleId of agencyVehicleIds) {
        const r = await ask(p, `query($v: ID!) { vehicle(id: $v) { id bookings(first: 100) { edges { node ${recordSelection('VehicleBooking')} } } } }`, { v: vehicleId });
        if (!r.data?.vehicle) continue;
        const expected = bookings
          .filter((b) => b.vehicle_id === vehicleId && visible(p, 'booking', b))
          .map((b) => b.id)
          .sort();
        expect([who, vehicleId, r.data.vehicle.bookings.edges.map((e: { node: { id: string } }) => e.node.id).sort()]).toEqual([who, vehicleId, expected]);
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(10);
  }, 120_000);

  it('lists page newest first with opaque cursors: every row once, none skipped, the count over all pages', async () => {
    const national: Principal = { sub: 'n', role: 'NATIONAL_ADMIN' };
    for (const [field, table] of [
      ['assetTransfers', 'transfers'],
      ['vehicleBookings', 'bookings'],
    ] as const) {
      const all = (await stack.sharing.store.db.selectFrom(table).select('id').execute())
        .map((r) => r.id)
        .sort()
        .reverse();
      expect(all.length).toBeGreaterThanOrEqual(4);
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: Awaited<ReturnType<typeof ask>> = await ask(
          national,
          `query($a: String) { r: ${field}(first: 2, after: $a) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
          { a: after },
        );
        expect(page.errors).toBeUndefined();
        expect(page.data!.r.totalCount).toBe(all.length);
        seen.push(...page.data!.r.edges.map((e: { node: { id: string } }) => e.node.id));
        if (!page.data!.r.pageInfo.hasNextPage) break;
        after = page.data!.r.pageInfo.endCursor;
      }
      expect([field, seen]).toEqual([field, all]);
    }
    // A cursor of another list is refused, not misread.
    const other = await ask(national, '{ assetTransfers(after: "WyJJRF9BU0MiLCJBU0MiLCJ4IiwieCJd") { totalCount } }');
    expect(other.errors?.[0].extensions?.code).toBe('BAD_CURSOR');
  });

  it('refused fields leave no trace but their null and error: no placeholder in the data, no empty error list', async () => {
    const analyst = await ask({ sub: 'an', role: 'ANALYST' }, '{ assetTransfers { totalCount } }');
    expect(Object.keys(analyst.data!)).toEqual(['assetTransfers']);
    expect(analyst.errors!.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN']);
    const nothing = await ask({ sub: 'a', role: 'PROVINCE_ADMIN', province: '320000' }, '{ vehicleBooking(id: "BK-none") { id history { actor } } }');
    expect(nothing).toEqual({ data: { vehicleBooking: null } });
    const history = await ask({ sub: 'a', role: 'PROVINCE_ADMIN', province: '310000' }, '{ assetTransfers(first: 1) { edges { node { history { actor } } } } }');
    expect(JSON.stringify(history.data)).not.toMatch(/__typename|xietongRemovedFields/);
  });

  it('every mutation is refused to the roles that may change nothing, and runs nothing', async () => {
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThanOrEqual(12);
    const before = await stack.sharing.store.db
      .selectFrom('workflow_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const [who, p] of principals().filter(([, p]) => !p || p.role === 'ANALYST' || p.role === 'REGION_COORDINATOR')) {
      for (const m of mutations) {
        const result = await ask(p, `mutation($i: ${m.args[0].type.toString()}) { ${m.name}(input: $i) { __typename } }`, { i: sample(m.args[0].type) });
        expect([who, m.name, result.errors?.map((e) => e.extensions?.code)]).toEqual([who, m.name, ['FORBIDDEN']]);
      }
    }
    const after = await stack.sharing.store.db
      .selectFrom('workflow_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  }, 60_000);
});

describe('the sharing app under the safelist (docker-compose runs with it on)', () => {
  it('officers run the workflow operations of the manifest by id, and nothing else; every manifest operation is valid', async () => {
    const manifest = readManifest(join(REPO_ROOT, 'deploy', 'persisted-operations.json'));
    const gateway = await startGateway(await gatewayOptionsFor(stack, { persistedOperations: { manifest, safelist: true } }));
    try {
      const byName = (name: string) => manifest.operations.find((o) => o.name === name)!;
      for (const o of manifest.operations) {
        const r = (await (
          await post(
            gateway.url,
            { extensions: { persistedQuery: { version: 1, sha256Hash: o.id } }, variables: {} },
            { token: tokenFor({ sub: 'n', role: 'NATIONAL_ADMIN' }), assertion: null },
          )
        ).json()) as { errors?: { extensions?: { code?: string } }[] };
        expect([o.name, r.errors?.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') ?? false]).toEqual([o.name, false]);
      }
      const agency = agencies['340000'][3];
      const officer = tokenFor({ sub: `officer-${agency}`, role: 'AGENCY_OFFICER', agency });
      const vehicle = (await stack.sharing.store.db.selectFrom('platform_vehicles').select('id').where('province', '=', '320000').orderBy('id').executeTakeFirstOrThrow()).id;
      const at = Date.now() + 72 * HOUR;
      const booked = (await (
        await post(
          gateway.url,
          {
            extensions: { persistedQuery: { version: 1, sha256Hash: byName('SharingBookVehicle').id } },
            variables: { vehicleId: vehicle, agencyId: agency, from: new Date(at).toISOString(), to: new Date(at + HOUR).toISOString(), purpose: '会议', passengers: 1 },
          },
          { token: officer, assertion: null },
        )
      ).json()) as { data?: { bookVehicle: { booking: { status: string } } }; errors?: unknown };
      expect(booked.errors).toBeUndefined();
      expect(booked.data!.bookVehicle.booking.status).toBe('REQUESTED');
      const adHoc = await post(gateway.url, { query: '{ vehicleBookings { totalCount } }' }, { token: officer, assertion: null });
      expect(((await adHoc.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('OPERATION_NOT_SAFELISTED');
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});

import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../common/logger.js';
import type { Principal } from '../../common/auth/principal.js';
import type { AuditRecord, AuditStore } from './event.js';
import { AuditTrail, type AuditedOperation } from './trail.js';

/** A store that keeps what it is given. */
function capturing(): AuditStore & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    records,
    async append(record) {
      records.push(record);
    },
    async list() {
      return { events: [], hasNextPage: false };
    },
    async close() {},
  };
}

const op = (principal: Principal, overrides: Partial<AuditedOperation> = {}): AuditedOperation => ({
  principal,
  operationName: 'Pool',
  operationHash: 'a'.repeat(64),
  mutation: false,
  provinces: ['320000', '110000'],
  errorCodes: [],
  hasData: true,
  ...overrides,
});

const ADMIN: Principal = { sub: 'admin-js', role: 'PROVINCE_ADMIN', province: '320000' };
const NATIONAL: Principal = { sub: 'nat', role: 'NATIONAL_ADMIN' };

describe('AuditTrail', () => {
  it('records a read of another province with the caller, its binding and the sorted provinces', async () => {
    const store = capturing();
    await new AuditTrail(store, createLogger('test')).record(op(ADMIN));
    expect(store.records).toEqual([
      {
        time: expect.any(String),
        subject: 'admin-js',
        role: 'PROVINCE_ADMIN',
        binding: '320000',
        operationName: 'Pool',
        operationHash: 'a'.repeat(64),
        mutation: false,
        provinces: ['110000', '320000'],
        outcome: 'ok',
        errorCodes: [],
      },
    ]);
  });

  it('keeps at most 200 characters of an operation name', async () => {
    const store = capturing();
    await new AuditTrail(store, createLogger('test')).record(op(NATIONAL, { operationName: 'N'.repeat(5000) }));
    expect(store.records[0].operationName).toBe('N'.repeat(200));
  });

  it('leaves out reads of the home province only, records every mutation, counts anonymous reads', async () => {
    const store = capturing();
    const trail = new AuditTrail(store, createLogger('test'));
    await trail.record(op(ADMIN, { provinces: ['320000'] }));
    await trail.record(op(ADMIN, { provinces: ['320000'], mutation: true, errorCodes: ['FORBIDDEN'], hasData: false }));
    await trail.record(op({ sub: null, role: 'ANONYMOUS' }));
    expect(store.records.map((r) => [r.mutation, r.provinces, r.outcome])).toEqual([[true, ['320000'], 'error']]);
    expect(trail.anonymousReads).toBe(1);
  });
});

/** What the audit trail records of one operation (the audit plugin fills it in). */
export interface AuditRecord {
  time: string;
  subject: string | null;
  role: string;
  binding: string | null;
  operationName: string | null;
  operationHash: string;
  mutation: boolean;
  provinces: string[];
  outcome: 'ok' | 'partial' | 'error';
  errorCodes: string[];
}

/** An event's place in the hash chain (see chain.ts), fixed by the store when it appends. */
export interface ChainLink {
  /** 1 for the first event ever appended to the store; removed events leave a gap. */
  sequence: number;
  /** The previous event's hash (GENESIS_HASH for the first). */
  prevHash: string;
  /** SHA-256 of the event's canonical form, prevHash and sequence included. */
  hash: string;
}

/** A record with its chain link: what a store writes. */
export type ChainedRecord = AuditRecord & ChainLink;

/**
 * One event of the audit trail as read back; `id` is the store's (SQLite row, stream entry id).
 * The chain fields are null on events recorded before the trail was chained.
 */
export interface AuditEvent extends AuditRecord {
  id: string;
  sequence: number | null;
  prevHash: string | null;
  hash: string | null;
}

/** Which events to list, newest first. */
export interface AuditQuery {
  subject?: string | null;
  role?: string | null;
  province?: string | null;
  mutation?: boolean | null;
  first: number;
  /** The id of the last event of the previous page. */
  after?: string | null;
}

/**
 * Where the audit trail is kept: append-only (no method changes or removes an event) and
 * durable across gateway restarts. The store chains each event to the one before it.
 */
export interface AuditStore {
  append(record: AuditRecord): Promise<void>;
  list(query: AuditQuery): Promise<{ events: AuditEvent[]; hasNextPage: boolean }>;
  close(): Promise<void>;
}

/** Reads a stored event's JSON; events written before chaining get null chain fields. */
export function readEvent(id: string, json: string): AuditEvent {
  return { sequence: null, prevHash: null, hash: null, ...(JSON.parse(json) as Partial<ChainedRecord> & AuditRecord), id };
}

/** Whether an event matches a query's filters. */
export function matches(event: AuditEvent, q: AuditQuery): boolean {
  return (
    (q.subject == null || event.subject === q.subject) &&
    (q.role == null || event.role === q.role) &&
    (q.province == null || event.provinces.includes(q.province)) &&
    (q.mutation == null || event.mutation === q.mutation)
  );
}

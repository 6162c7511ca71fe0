/** One recorded operation of the audit trail. */
export interface AuditEvent {
  id: string;
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
 * durable across gateway restarts.
 */
export interface AuditStore {
  append(event: Omit<AuditEvent, 'id'>): Promise<void>;
  list(query: AuditQuery): Promise<{ events: AuditEvent[]; hasNextPage: boolean }>;
  close(): Promise<void>;
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

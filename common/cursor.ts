import { ErrorCode, userError } from './errors.js';

/**
 * Keyset cursors. A cursor names the order it belongs to, its direction, and the last row's
 * sort value and id. Because ids are globally unique, the same cursor means "rows after this
 * one" in every province, so the gateway can pass a client's cursor unchanged to each shard
 * and merge their pages without re-reading earlier ones.
 */
export interface Cursor {
  order: string;
  direction: 'ASC' | 'DESC';
  value: string | number;
  id: string;
}

/** Encodes a cursor as an opaque base64url string. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.order, cursor.direction, cursor.value, cursor.id])).toString('base64url');
}

/** Decodes a cursor, throwing a BAD_CURSOR error when it is malformed. */
export function decodeCursor(text: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    typeof parsed[0] !== 'string' ||
    (parsed[1] !== 'ASC' && parsed[1] !== 'DESC') ||
    !(typeof parsed[2] === 'string' ? plainText(parsed[2]) : Number.isFinite(parsed[2])) ||
    typeof parsed[3] !== 'string' ||
    !plainText(parsed[3])
  ) {
    throw badCursor();
  }
  return { order: parsed[0], direction: parsed[1], value: parsed[2], id: parsed[3] };
}

// No database stores a NUL in text (PostgreSQL refuses one in a parameter), and no id or value holds one.
const plainText = (value: string) => !value.includes('\u0000');

function badCursor() {
  return userError(ErrorCode.BAD_CURSOR, 'The `after` cursor is malformed; pass an endCursor or edge cursor returned by this API.');
}

/** Compares two scalars by code point (strings) or numerically, the order SQL `COLLATE BINARY` uses. */
function compareScalar(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Compares two rows' cursors in their order's direction (value, then id as tie-break). */
export function compareCursors(a: Cursor, b: Cursor): number {
  const c = compareScalar(a.value, b.value) || compareScalar(a.id, b.id);
  return a.direction === 'ASC' ? c : -c;
}

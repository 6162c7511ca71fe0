import { createHash } from 'node:crypto';

/** The entity tag of an answer's body: a strong tag of its SHA-256, the same for the same bytes. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an If-None-Match header names this tag (RFC 9110 §13.1.2: a list of tags, weak
 * comparison, or `*`), so the answer is 304 Not Modified with no body.
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

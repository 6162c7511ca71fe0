import { createHmac, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isRole, type Principal } from './principal.js';
import type { ReplayGuard } from './replay-guard.js';
import { RegionMembership } from '../regions/membership.js';
import { DEFAULT_MIN_AGENCIES } from '../disclosure.js';
import type { ReceiverSessions } from './receiver-sessions.js';
import type { SessionKey } from './session-keys.js';

/**
 * The gateway's assertion to subgraphs: an ES256 JWT naming the caller, signed with the
 * gateway's private key, addressed to ONE audience (the province or subgraph it is sent to),
 * living seconds, and carrying a unique id that the receiver accepts once. Whoever sees the
 * gateway's traffic to one instance therefore holds nothing another instance accepts, nor
 * anything that instance accepts again.
 */
export const ASSERTION_HEADER = 'x-xietong-assertion';
/**
 * Who signs assertions: the gateway for its callers and its background work, the sharing
 * service for the transfer steps it takes at provinces (role WORKFLOW, and only that role).
 * Each has its own key, so neither can act as the other.
 */
export const ASSERTION_ISSUERS = { gateway: 'xietong-gateway', workflow: 'xietong-sharing' } as const;
/** The public keys (PEM or imported) a receiver trusts, per issuer; without `workflow`, WORKFLOW assertions are refused. */
export interface AssertionKeys {
  gateway: string | KeyObject;
  workflow?: string | KeyObject;
}
const issuerOf = (role: string) => (role === 'WORKFLOW' ? ASSERTION_ISSUERS.workflow : ASSERTION_ISSUERS.gateway);
/**
 * What a province instance reads from the gateway's assertions, as its /health says: 2 = the
 * caller and the region membership (releases before it decided regions from a table of their own,
 * which a region added at run time does not reach). The gateway admits only instances of this one.
 */
export const ASSERTION_PROTOCOL = 2;
/** Lifetime of the assertions the gateway signs: one subgraph call, with room for clock skew. */
export const ASSERTION_TTL_SECONDS = 10;
/** The longest lifetime a receiver accepts, whatever the assertion says. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 30;
const CLOCK_TOLERANCE_SECONDS = 5;

/** The receiver's answer to an assertion that offered a session: `ID.RECEIVERKEY.NONCE` when it opened one. */
export const SESSION_HEADER = 'x-xietong-session';
/** The claim of a signed gateway assertion that offers the gateway's X25519 agreement key. */
export const OFFER_CLAIM = 'agreementKey';

/**
 * How an assertion is made for one receiver: under the session agreed with it (an HMAC, HS256,
 * naming the session as its key id), or signed (ES256) and offering the gateway's agreement key
 * so that the receiver opens one.
 */
export type SessionUse = { session: SessionKey } | { offer: string };

/** The audience name of a province instance serving `code`. */
export const provinceAudience = (code: string): string => `province:${code}`;
/** The audience name of a plain subgraph. */
export const subgraphAudience = (name: string): string => `subgraph:${name}`;

/** What an assertion carries besides the caller. */
export interface AssertionOptions {
  /** Lifetime, seconds (default ASSERTION_TTL_SECONDS). */
  ttlSeconds?: number;
  /** The region membership the receiver decides by (none when omitted). */
  regions?: RegionMembership;
  /** The gateway's small-cell threshold, for a receiver that withholds figures itself (DEFAULT_MIN_AGENCIES when omitted). */
  minAgencies?: number;
  /** Made under a session, or offering one (signed, without one, when omitted). */
  session?: SessionUse;
}

/** Makes one assertion for an audience: under a session, offering one, or (without) signed alone. */
export type AssertionMaker = (audience: string, session?: SessionUse) => string;

// The JOSE header of a signed assertion never changes; one under a session names its key.
const SIGNED_HEADER = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url');
const sessionHeader = (kid: string) => Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid })).toString('base64url');

/**
 * Makes a principal's assertions, to any audience; the issuer follows from the role. What every
 * call of one request shares (the caller, the regions, the threshold) is encoded once, and each
 * call adds its audience, lifetime, unique id and offer, then signs. The gateway makes one
 * assertion per subgraph call, 33 for a fan-out to every province, so this is on its hot path:
 * jsonwebtoken's `sign` re-validated its options and re-encoded the same claims every time (46 µs
 * a call measured in the gateway). The compact JWS is the standard one; receivers verify it with
 * jsonwebtoken (`verifyAssertion`), and the tests check that they do.
 */
export function assertionMaker(principal: Principal, privateKey: string | KeyObject, options: Omit<AssertionOptions, 'session'> = {}): AssertionMaker {
  const ttlSeconds = options.ttlSeconds ?? ASSERTION_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds)) throw new Error(`assertion lifetime must be a whole number of seconds, not ${String(ttlSeconds)}`);
  const key = signingKey(privateKey);
  // The caller's fields by name, never by spreading the principal: a field named like a claim the
  // gateway sets (aud, exp, jti, regions) would otherwise travel as a second key of that name.
  // The region's members are derived by the receiver from the regions claim, never sent twice.
  const { sub, role, province, region, agency } = principal;
  // The shared claims as a JSON object without its closing brace: each call appends its own.
  // Encoded at the first call: a request answered from the cache makes a maker and no assertion.
  let shared: string | undefined;
  const encodeShared = () =>
    JSON.stringify({
      role,
      ...(province !== undefined ? { province } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(agency !== undefined ? { agency } : {}),
      ...(options.regions ? { regions: options.regions.toClaim() } : {}),
      ...(options.minAgencies !== undefined ? { minAgencies: options.minAgencies } : {}),
      iss: issuerOf(role),
      ...(sub ? { sub } : {}),
    }).slice(0, -1);
  return (audience, session) => {
    const iat = Math.floor(Date.now() / 1000);
    const offer = session && 'offer' in session ? `,${JSON.stringify(OFFER_CLAIM)}:${JSON.stringify(session.offer)}` : '';
    const payload = `${(shared ??= encodeShared())},"iat":${iat},"exp":${iat + ttlSeconds},"aud":${JSON.stringify(audience)},"jti":"${randomUUID()}"${offer}}`;
    const encoded = Buffer.from(payload).toString('base64url');
    if (session && 'session' in session) {
      const input = `${sessionHeader(session.session.id)}.${encoded}`;
      return `${input}.${createHmac('sha256', session.session.key).update(input).digest('base64url')}`;
    }
    const input = `${SIGNED_HEADER}.${encoded}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
}

/** The P-256 private key assertions are signed with; any other key is refused when the maker is made, not at its first call. */
function signingKey(privateKey: string | KeyObject): KeyObject {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the assertion signing key must be a P-256 (prime256v1) EC private key, for ES256');
  }
  return key;
}

/** Signs one assertion for a principal, to one audience (see {@link assertionMaker}, which a caller of many should keep). */
export function signAssertion(principal: Principal, privateKey: string | KeyObject, audience: string, options: AssertionOptions = {}): string {
  return assertionMaker(principal, privateKey, options)(audience, options.session);
}

/** Why an assertion was refused; the reason is for the receiver's log, never for the caller. */
export class AssertionRefused extends Error {
  constructor(
    reason: string,
    /** Made under a session this receiver does not hold (restarted, expired): routine, not an attack. */
    readonly unknownSession = false,
  ) {
    super(reason);
  }
}

/** What a receiver checks besides the signature: its own audiences, and the ids it already accepted. */
export interface AssertionCheck {
  audiences: readonly string[];
  replay: ReplayGuard;
  /** The sessions it agreed with the gateway (none: assertions under a session are refused and offers ignored). */
  sessions?: ReceiverSessions;
}

/** What a verified assertion says: who asks, and which provinces form each region for this call. */
export interface Asserted {
  principal: Principal;
  regions: RegionMembership;
  /** The small-cell threshold the gateway withholds by (common/disclosure.ts). */
  minAgencies: number;
  /** The session this assertion opened, as the receiver answers it (SESSION_HEADER). */
  opened?: string;
}

/**
 * Verifies an assertion with the key of the issuer it names; throws AssertionRefused when it is
 * missing, forged, from an untrusted issuer, for a role its issuer may not assert, misaddressed,
 * too long-lived, expired or replayed.
 */
export function verifyAssertion(token: string | undefined, keys: AssertionKeys, check: AssertionCheck): Asserted {
  if (!token) throw new AssertionRefused('missing');
  const decoded = jwt.decode(token, { complete: true, json: true });
  // The algorithm decides the key: an HMAC only under a session this receiver opened, a
  // signature only with an issuer's public key, never one algorithm with the other's key.
  const underSession = decoded?.header.alg === 'HS256';
  const issuer = !underSession && (decoded?.payload as jwt.JwtPayload | undefined)?.iss === ASSERTION_ISSUERS.workflow ? ASSERTION_ISSUERS.workflow : ASSERTION_ISSUERS.gateway;
  let verifyWith: { key: string | KeyObject; algorithm: jwt.Algorithm; audience: readonly string[] };
  if (underSession) {
    const kid = decoded?.header.kid;
    const session = typeof kid === 'string' ? check.sessions?.get(kid) : undefined;
    if (!session) throw new AssertionRefused('session unknown', true);
    verifyWith = { key: session.key, algorithm: 'HS256', audience: [session.audience] };
  } else {
    const key = issuer === ASSERTION_ISSUERS.workflow ? keys.workflow : keys.gateway;
    if (!key) throw new AssertionRefused(`issuer ${issuer} not trusted here`);
    verifyWith = { key, algorithm: 'ES256', audience: check.audiences };
  }
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, verifyWith.key, {
      algorithms: [verifyWith.algorithm],
      issuer,
      audience: verifyWith.audience as [string, ...string[]],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }) as jwt.JwtPayload;
  } catch (error) {
    throw new AssertionRefused(error instanceof jwt.TokenExpiredError ? 'expired' : `invalid (${(error as Error).message})`);
  }
  const { exp, iat, jti, aud, role } = payload;
  if (typeof aud !== 'string') throw new AssertionRefused('not addressed to exactly one audience');
  if (typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) throw new AssertionRefused('lifetime missing or too long');
  if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new AssertionRefused('issued in the future');
  if (!isRole(role)) throw new AssertionRefused('without a role');
  if (issuerOf(role) !== issuer) throw new AssertionRefused(`role ${role} not asserted by ${issuer}`);
  const regions = RegionMembership.fromClaim(payload.regions);
  if (!regions) throw new AssertionRefused('regions claim malformed');
  if (typeof jti !== 'string' || !check.replay.accept(jti, (exp + CLOCK_TOLERANCE_SECONDS) * 1000)) throw new AssertionRefused('already used');
  const principal: Principal = {
    sub: payload.sub ?? null,
    role,
    ...(typeof payload.province === 'string' ? { province: payload.province } : {}),
    ...(typeof payload.region === 'string' ? { region: payload.region, regionProvinces: regions.members(payload.region) ?? [] } : {}),
    ...(typeof payload.agency === 'string' ? { agency: payload.agency } : {}),
  };
  const minAgencies = payload.minAgencies === undefined ? DEFAULT_MIN_AGENCIES : payload.minAgencies;
  if (!Number.isInteger(minAgencies) || minAgencies < 1) throw new AssertionRefused('minAgencies claim malformed');
  return { principal, regions, minAgencies, ...openedBy(payload, underSession || issuer !== ASSERTION_ISSUERS.gateway ? undefined : check.sessions) };
}

/** The session a signed gateway assertion's offer opens at this receiver, if it offers one. */
function openedBy(payload: jwt.JwtPayload, sessions: ReceiverSessions | undefined): { opened?: string } {
  const offer = payload[OFFER_CLAIM];
  if (offer === undefined || !sessions) return {};
  try {
    return { opened: sessions.accept(String(payload.aud), String(offer)).answer };
  } catch {
    throw new AssertionRefused('agreement key malformed');
  }
}

import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import jwksClient, { type JwksClient } from 'jwks-rsa';
import { ANONYMOUS, isUserRole, type Principal } from '../../common/auth/principal.js';
import { findProvince } from '../../common/standards.js';
import { isIdOfKind } from '../../common/ids.js';
import { VerifiedTokens } from './verified-tokens.js';

/** How user tokens are verified. Algorithms, issuer and audience are always pinned. */
export interface TokenConfig {
  issuer: string;
  audience: string;
  /** Asymmetric algorithms only: a public key must never double as an HMAC secret. */
  algorithms: ('RS256' | 'ES256')[];
  /** Public keys (PEM) by key id; a token without `kid` may use the only key. */
  publicKeys?: Record<string, string>;
  /** A JWKS endpoint, fetched and cached by jwks-rsa. */
  jwksUrl?: string;
  clockToleranceSeconds?: number;
}

/** A token that was presented but cannot be accepted (answered with 401). */
export class InvalidToken extends Error {}

/**
 * Verifies bearer tokens into principals: signature (pinned algorithms, key by `kid`), issuer,
 * audience, a required `exp`, `nbf`, and claims that fit the role. No token means anonymous.
 * A token that passed is remembered until it expires (see {@link VerifiedTokens}).
 */
export class TokenVerifier {
  private readonly jwks?: JwksClient;
  /** PEM keys imported once: importing costs more than a verification. */
  private readonly imported = new Map<string, KeyObject>();
  private readonly verified = new VerifiedTokens();

  constructor(private readonly config: TokenConfig) {
    if (!config.publicKeys && !config.jwksUrl) throw new Error('token verification needs public keys or a JWKS URL');
    if (config.jwksUrl) this.jwks = jwksClient({ jwksUri: config.jwksUrl, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 3000 });
  }

  /** The principal of an Authorization header value. */
  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) return ANONYMOUS;
    const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/.exec(authorization.trim());
    if (!match) throw new InvalidToken('Authorization must be "Bearer <JWT>"');
    const known = this.verified.get(match[1]);
    if (known) return known;
    // jsonwebtoken wraps errors of the key callback; keep ours to report the real reason.
    let keyError: Error | undefined;
    const payload = await new Promise<jwt.JwtPayload>((resolve, reject) => {
      jwt.verify(
        match[1],
        (header, callback) =>
          this.key(header).then(
            (k) => callback(null, k),
            (e: Error) => callback((keyError = e)),
          ),
        {
          algorithms: this.config.algorithms,
          issuer: this.config.issuer,
          audience: this.config.audience,
          clockTolerance: this.config.clockToleranceSeconds ?? 5,
        },
        (error, decoded) => (error ? reject(new InvalidToken(describe(keyError ?? error))) : resolve(decoded as jwt.JwtPayload)),
      );
    });
    if (typeof payload.exp !== 'number') throw new InvalidToken('token has no expiry (exp)');
    // Frozen: the same principal serves every request with this token, and what is derived from
    // it (its scope key) is kept per principal.
    const principal = Object.freeze(principalOf(payload));
    // jsonwebtoken accepts a token until exp plus the tolerance; the cache must not outlast that.
    this.verified.set(match[1], principal, (payload.exp + (this.config.clockToleranceSeconds ?? 5)) * 1000);
    return principal;
  }

  private async key(header: jwt.JwtHeader): Promise<KeyObject> {
    const pem = await this.pem(header);
    let key = this.imported.get(pem);
    if (!key) this.imported.set(pem, (key = createPublicKey(pem)));
    return key;
  }

  private async pem(header: jwt.JwtHeader): Promise<string> {
    if (this.jwks) {
      if (!header.kid) throw new InvalidToken('token has no key id (kid)');
      try {
        return (await this.jwks.getSigningKey(header.kid)).getPublicKey();
      } catch {
        throw new InvalidToken(`unknown key id "${header.kid}"`);
      }
    }
    const keys = this.config.publicKeys!;
    if (header.kid !== undefined) {
      const key = keys[header.kid];
      if (!key) throw new InvalidToken(`unknown key id "${header.kid}"`);
      return key;
    }
    const all = Object.values(keys);
    if (all.length !== 1) throw new InvalidToken('token has no key id (kid)');
    return all[0];
  }
}

function describe(error: Error): string {
  if (error instanceof InvalidToken) return error.message;
  if (error.name === 'TokenExpiredError') return 'token has expired';
  if (error.name === 'NotBeforeError') return 'token is not valid yet';
  const m = error.message;
  if (m.includes('invalid algorithm')) return 'token algorithm is not accepted';
  if (m.includes('audience invalid')) return 'token audience is wrong';
  if (m.includes('issuer invalid')) return 'token issuer is wrong';
  if (m.includes('signature')) return 'token signature is invalid';
  if (m.includes('malformed') || m.includes('invalid token') || m.includes('Unexpected token')) return 'token is malformed';
  return 'token is invalid';
}

/**
 * The principal of verified claims; the binding a role needs must be present and real, and is
 * the only binding kept (a coordinator's token carrying a `province` claim is a coordinator's).
 */
function principalOf(claims: jwt.JwtPayload): Principal {
  const role = claims.role;
  if (!isUserRole(role)) throw new InvalidToken('token has no valid role');
  const sub = typeof claims.sub === 'string' ? claims.sub : null;
  if (!sub) throw new InvalidToken('token has no subject (sub)');
  const province = typeof claims.province === 'string' ? claims.province : undefined;
  const region = typeof claims.region === 'string' ? claims.region : undefined;
  const agency = typeof claims.agency === 'string' ? claims.agency : undefined;
  if (role === 'PROVINCE_ADMIN' && !(province && findProvince(province))) throw new InvalidToken('a PROVINCE_ADMIN token needs a province claim');
  // Whether the region exists is the region table's to say, per request (gateway/auth/context.ts).
  if (role === 'REGION_COORDINATOR' && !region) throw new InvalidToken('a REGION_COORDINATOR token needs a region claim');
  if (role === 'AGENCY_OFFICER' && !(agency && isIdOfKind(agency, 'agency'))) throw new InvalidToken('an AGENCY_OFFICER token needs an agency claim');
  if (role === 'PROVINCE_ADMIN') return { sub, role, province };
  if (role === 'REGION_COORDINATOR') return { sub, role, region };
  if (role === 'AGENCY_OFFICER') return { sub, role, agency };
  return { sub, role };
}

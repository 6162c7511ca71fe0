import type { Agent } from 'undici';
import { SESSION_UNKNOWN, type SessionUse } from '../../common/auth/assertion.js';
import { deriveSessionKey, newAgreementKeys, type SessionKey } from '../../common/auth/session-keys.js';
import { postGraphQL, type GraphQLBody, type PostResult } from '../../common/post-graphql.js';

/** The most receivers (audience at a URL) the gateway keeps a session with; past it the oldest is dropped and offered again. */
const MAX_SESSIONS = 10_000;

/**
 * The gateway's side of assertion sessions: per receiver (an audience at a URL), the session
 * agreed with it, if any. Without one, a call is signed (ES256) and offers the gateway's X25519
 * key; the receiver's answer (`ID.PUBLICKEY`) opens the session, and later calls carry an HMAC
 * under it, a tenth of a signature's cost on both sides. The key pair lives in this process
 * only; every receiver derives its own key, so no receiver can speak for another.
 */
export class AssertionSessions {
  private readonly own = newAgreementKeys();
  private readonly agreed = new Map<string, SessionKey>();

  /** How to make the next assertion for this receiver: under its session, or offering one. */
  use(audience: string, url: string): SessionUse {
    const session = this.agreed.get(`${audience} ${url}`);
    return session ? { session } : { offer: this.own.publicText };
  }

  /**
   * Learns from the receiver's answer to an assertion made as `used`; true when the receiver
   * refused a session it no longer holds (the call ran nothing and may be sent again, signed).
   * An answer whose id does not match the key it names opens nothing.
   */
  learn(audience: string, url: string, used: SessionUse, said: string | undefined): boolean {
    const at = `${audience} ${url}`;
    if (said === SESSION_UNKNOWN) {
      if (!('session' in used)) return false;
      if (this.agreed.get(at)?.id === used.session.id) this.agreed.delete(at);
      return true;
    }
    if (said === undefined || !('offer' in used)) return false;
    const [id, receiver] = said.split('.');
    let derived: SessionKey;
    try {
      derived = deriveSessionKey(this.own.privateKey, receiver ?? '', { audience, gateway: this.own.publicText, receiver: receiver ?? '' });
    } catch {
      return false;
    }
    if (derived.id !== id) return false;
    this.agreed.delete(at);
    if (this.agreed.size >= MAX_SESSIONS) this.agreed.delete(this.agreed.keys().next().value!);
    this.agreed.set(at, derived);
    return false;
  }
}

/** How a call proves who it is for: an assertion per audience, made under a session or offering one, and the gateway's sessions. */
export interface Credentials {
  assertionFor(audience: string, session?: SessionUse): string;
  /** Without them every assertion is signed. */
  sessions?: AssertionSessions;
}

/**
 * POSTs one GraphQL call to a receiver with an assertion addressed to `audience`: under the
 * session agreed with it when there is one. A receiver that no longer holds the session
 * (restarted, expired) refuses before running anything, and the call goes once more, signed.
 */
export async function postAsserted(
  url: string,
  audience: string,
  body: GraphQLBody | string,
  options: { agent: Agent; timeoutMs: number; requestId?: string; credentials?: Credentials },
): Promise<PostResult> {
  const { credentials, ...transport } = options;
  if (!credentials) return postGraphQL(url, body, transport);
  const { sessions } = credentials;
  const send = async (): Promise<{ result: PostResult; again: boolean }> => {
    const used = sessions?.use(audience, url);
    const result = await postGraphQL(url, body, { ...transport, assertion: credentials.assertionFor(audience, used) });
    const again = used !== undefined && 'answer' in result && sessions!.learn(audience, url, used, result.session);
    return { result, again };
  };
  const first = await send();
  return first.again ? (await send()).result : first.result;
}

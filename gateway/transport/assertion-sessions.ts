import type { Agent } from 'undici';
import type { SessionUse } from '../../common/auth/assertion.js';
import { SESSION_RENEW_MS } from '../../common/auth/receiver-sessions.js';
import { deriveSessionKey, newAgreementKeys, parseOpened, type SessionKey } from '../../common/auth/session-keys.js';
import { postGraphQL, type GraphQLBody, type PostResult } from '../../common/post-graphql.js';

/** The most receivers (audience at a URL) the gateway keeps a session with; past it the oldest is dropped and offered again. */
const MAX_SESSIONS = 10_000;

/**
 * The gateway's side of assertion sessions: per receiver (an audience at a URL), the session
 * agreed with it, if any. Without one, a call is signed (ES256) and offers the gateway's X25519
 * key; the receiver's answer (`ID.RECEIVERKEY.NONCE`) opens the session, and later calls carry an
 * HMAC under it, a fraction of a signature's cost on both sides. Before the receiver would
 * expire it, calls offer again. The key pair lives in this process only; every receiver derives
 * its own key, so no receiver can speak for another.
 */
export class AssertionSessions {
  private readonly own = newAgreementKeys();
  private readonly agreed = new Map<string, SessionKey & { renewAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How to make the next assertion for this receiver: under its session, or offering one (none yet, or due for renewal). */
  use(audience: string, url: string): SessionUse {
    const session = this.agreed.get(`${audience} ${url}`);
    return session && session.renewAt > this.now() ? { session } : { offer: this.own.publicText };
  }

  /**
   * Learns from the receiver's answer to an assertion made as `used`; true when a call under a
   * session was refused (HTTP 401: the receiver no longer holds it, and ran nothing), so the
   * call may go once more, signed. An answer that names a session is believed only when its id
   * is the one its key, audience and nonce give.
   */
  learn(audience: string, url: string, used: SessionUse, answer: { status?: number; session?: string }): boolean {
    const at = `${audience} ${url}`;
    if ('session' in used) {
      if (answer.status !== 401) return false;
      if (this.agreed.get(at)?.key === used.session.key) this.agreed.delete(at);
      return true;
    }
    const opened = answer.session === undefined ? undefined : parseOpened(answer.session);
    if (!opened) return false;
    let derived: SessionKey;
    try {
      derived = deriveSessionKey(this.own.privateKey, opened.receiver, { audience, gateway: this.own.publicText, receiver: opened.receiver, nonce: opened.nonce });
    } catch {
      return false;
    }
    if (derived.id !== opened.id) return false;
    this.agreed.delete(at);
    if (this.agreed.size >= MAX_SESSIONS) this.agreed.delete(this.agreed.keys().next().value!);
    this.agreed.set(at, { ...derived, renewAt: this.now() + SESSION_RENEW_MS });
    return false;
  }
}

/** How a call proves who it is for: an assertion per audience, made under a session or offering one, and the gateway's sessions. */
export interface Credentials {
  assertionFor(audience: string, session?: SessionUse): string;
  /** Without them every assertion is signed. */
  sessions?: AssertionSessions;
}

/** A caller's credentials under the gateway's sessions; none for a caller that makes no assertions. */
export function credentialsOf(caller: { assertionFor?: Credentials['assertionFor'] }, sessions: AssertionSessions | undefined): Credentials | undefined {
  return caller.assertionFor ? { assertionFor: caller.assertionFor, sessions } : undefined;
}

/**
 * POSTs one GraphQL call to a receiver with an assertion addressed to `audience`: under the
 * session agreed with it when there is one. A receiver refuses a session it no longer holds
 * (restarted, expired) with 401 before running anything, and the call goes once more, signed.
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
    const again = used !== undefined && 'answer' in result && sessions!.learn(audience, url, used, result);
    return { result, again };
  };
  const first = await send();
  return first.again ? (await send()).result : first.result;
}

// A Cloud Signature Consortium API client (credentials/list, credentials/info, credentials/authorize,
// signatures/signHash; auth/login for username and password, OAuth2 client credentials) and the SigningIdentity of
// a remote credential.
// The service URL is the API's base with its version (…/csc/v2, or …/csc/v1 for v1 services): requests carry the
// v2 field names and their v1 twins (hashes/hash, hashAlgorithmOID/hashAlgo), which services ignore when unknown.
import { createHash, X509Certificate } from 'node:crypto';
import type { SigningIdentity } from './signer.js';

const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};
const TIMEOUT_MS = 10_000;

/** How this platform authenticates to the service: nothing (a service in a closed network), a bearer token the
 *  user was given, a username and password exchanged for a token at auth/login, or OAuth2 client credentials
 *  exchanged at the service's token endpoint (RFC 6749 §4.4). */
export type CscAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string };

export interface CscService {
  /** The API base, e.g. https://ca.example.vn/csc/v2 (no trailing slash needed). */
  url: string;
  auth: CscAuth;
  /** The credential's PIN, for services whose authMode is explicit. */
  pin?: string;
  timeoutMs?: number;
}

/** What went wrong, and whether trying again later may help (the service down, slow, overloaded). */
export type CscFailureReason = 'unreachable' | 'timeout' | 'server' | 'unauthorized' | 'refused' | 'not_found' | 'disabled' | 'bad_answer';

export class CscError extends Error {
  override name = 'CscError';
  constructor(message: string, readonly reason: CscFailureReason, readonly status?: number) {
    super(message);
  }
  get retryable(): boolean {
    return this.reason === 'unreachable' || this.reason === 'timeout' || this.reason === 'server';
  }
}

export interface CscCredential {
  id: string;
  /** 'enabled' unless the service says otherwise. */
  status: string;
  /** Signature algorithm OIDs the key supports. */
  algorithms: string[];
  /** The signer's certificate first, then its chain, DER. */
  chainDer: Buffer[];
  keyType: 'rsa' | 'ec';
}

export interface CscClient {
  listCredentials(): Promise<string[]>;
  credentialInfo(credentialId: string): Promise<CscCredential>;
  /** The SAD for one signature over `hash` (SHA-256). */
  authorize(credentialId: string, hash: Buffer): Promise<string>;
  signHash(credentialId: string, sad: string, hash: Buffer, keyType: 'rsa' | 'ec'): Promise<Buffer>;
}

const b64 = (b: Buffer) => b.toString('base64');

export function cscClient(service: CscService): CscClient {
  const base = service.url.replace(/\/+$/, '');
  const timeout = service.timeoutMs ?? TIMEOUT_MS;
  let token: string | null = service.auth.kind === 'token' ? service.auth.token : null;

  async function call(method: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(`${base}/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new CscError(`${method}: no answer within ${timeout / 1000} s`, 'timeout');
      throw new CscError(`${method}: ${err.cause?.code ?? err.message}`, 'unreachable');
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let detail = text.slice(0, 200);
      try {
        const j = JSON.parse(text) as { error?: string; error_description?: string };
        if (j.error) detail = [j.error, j.error_description].filter(Boolean).join(': ');
      } catch { /* not JSON */ }
      const reason: CscFailureReason = res.status >= 500 || res.status === 429 || res.status === 408 ? 'server'
        : res.status === 401 || res.status === 403 ? 'unauthorized' : res.status === 404 ? 'not_found' : 'refused';
      throw new CscError(`${method}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`, reason, res.status);
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new CscError(`${method}: the answer is not JSON`, 'bad_answer');
    }
  }

  /** OAuth2 client credentials: a form POST to the token endpoint, the client authenticated with HTTP Basic. */
  async function clientCredentials(a: { tokenUrl: string; clientId: string; clientSecret: string }): Promise<string> {
    let res: Response;
    try {
      res = await fetch(a.tokenUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json',
          Authorization: `Basic ${Buffer.from(`${encodeURIComponent(a.clientId)}:${encodeURIComponent(a.clientSecret)}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'service' }).toString(),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new CscError(`oauth2/token: no answer within ${timeout / 1000} s`, 'timeout');
      throw new CscError(`oauth2/token: ${err.cause?.code ?? err.message}`, 'unreachable');
    }
    const body = await res.json().catch(() => ({})) as { access_token?: unknown; error?: string };
    if (!res.ok) {
      const reason: CscFailureReason = res.status >= 500 || res.status === 429 ? 'server' : 'unauthorized';
      throw new CscError(`oauth2/token: HTTP ${res.status}${body.error ? ` (${body.error})` : ''}`, reason, res.status);
    }
    if (typeof body.access_token !== 'string') throw new CscError('oauth2/token: no access_token in the answer', 'bad_answer');
    return body.access_token;
  }

  async function authHeaders(): Promise<Record<string, string>> {
    if (service.auth.kind === 'none') return {};
    if (!token && service.auth.kind === 'oauth2') token = await clientCredentials(service.auth);
    if (!token && service.auth.kind === 'basic') {
      const basic = Buffer.from(`${service.auth.username}:${service.auth.password}`).toString('base64');
      const r = await call('auth/login', { rememberMe: false }, { Authorization: `Basic ${basic}` });
      if (typeof r.access_token !== 'string') throw new CscError('auth/login: no access_token in the answer', 'bad_answer');
      token = r.access_token;
    }
    return { Authorization: `Bearer ${token}` };
  }

  const authed = async (method: string, body: unknown) => call(method, body, await authHeaders());

  return {
    async listCredentials() {
      const r = await authed('credentials/list', { maxResults: 100 });
      if (!Array.isArray(r.credentialIDs)) throw new CscError('credentials/list: no credentialIDs in the answer', 'bad_answer');
      return r.credentialIDs.map(String);
    },

    async credentialInfo(credentialId) {
      const r = await authed('credentials/info', { credentialID: credentialId, certificates: 'chain', certInfo: false, authInfo: false });
      const key = (r.key ?? {}) as { status?: string; algo?: unknown };
      const certs = ((r.cert ?? {}) as { certificates?: unknown }).certificates;
      if (!Array.isArray(certs) || !certs.length) throw new CscError('credentials/info: no certificate in the answer', 'bad_answer');
      const chainDer = certs.map((c) => Buffer.from(String(c), 'base64'));
      let keyType: 'rsa' | 'ec';
      try {
        const t = new X509Certificate(chainDer[0]!).publicKey.asymmetricKeyType;
        if (t !== 'rsa' && t !== 'ec') throw new Error(`key type ${t}`);
        keyType = t;
      } catch (e) {
        throw new CscError(`credentials/info: unusable certificate (${(e as Error).message})`, 'bad_answer');
      }
      const status = key.status ?? 'enabled';
      return { id: credentialId, status, algorithms: Array.isArray(key.algo) ? key.algo.map(String) : [], chainDer, keyType };
    },

    async authorize(credentialId, hash) {
      const r = await authed('credentials/authorize', {
        credentialID: credentialId, numSignatures: 1,
        hashes: [b64(hash)], hash: [b64(hash)], hashAlgorithmOID: OID.sha256, hashAlgo: OID.sha256,
        ...(service.pin ? { PIN: service.pin } : {}),
      });
      if (typeof r.SAD !== 'string') throw new CscError('credentials/authorize: no SAD in the answer', 'bad_answer');
      return r.SAD;
    },

    async signHash(credentialId, sad, hash, keyType) {
      const r = await authed('signatures/signHash', {
        credentialID: credentialId, SAD: sad,
        hashes: [b64(hash)], hash: [b64(hash)], hashAlgorithmOID: OID.sha256, hashAlgo: OID.sha256,
        signAlgo: keyType === 'ec' ? OID.ecdsaWithSha256 : OID.rsaEncryption,
      });
      const sig = Array.isArray(r.signatures) ? r.signatures[0] : undefined;
      if (typeof sig !== 'string') throw new CscError('signatures/signHash: no signature in the answer', 'bad_answer');
      return Buffer.from(sig, 'base64');
    },
  };
}

/** Refuses a credential the service reports as not enabled (disabled, revoked, expired key). */
export function assertEnabled(c: CscCredential): CscCredential {
  if (c.status.toLowerCase() !== 'enabled') throw new CscError(`credential ${c.id} is ${c.status}`, 'disabled');
  return c;
}

/** A SigningIdentity that signs through the service: SHA-256 of the signed attributes, authorized for exactly that
 *  hash (SCAL2 services bind the SAD to it), then signHash. */
export function remoteIdentity(client: CscClient, credential: CscCredential, commonName: string): SigningIdentity {
  return {
    certDer: credential.chainDer[0]!,
    chainDer: credential.chainDer,
    commonName,
    keyType: credential.keyType,
    async sign(data) {
      const hash = createHash('sha256').update(data).digest();
      const sad = await client.authorize(credential.id, hash);
      return client.signHash(credential.id, sad, hash, credential.keyType);
    },
  };
}

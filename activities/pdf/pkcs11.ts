// The agency seal's key in a PKCS#11 token or HSM (graphene-pk11): the module opened once per worker process, one
// session per token reused and opened again when the token dropped it, a SigningIdentity whose sign() runs in the token.
//
// Where the token call happens: in the worker's main thread, from the seal activity. The PDF pool (pool.ts) is
// the web server's, for parsing untrusted files; the signer hashes the 30 MiB file natively and the token signs
// only the ~200 bytes of signed attributes (a few ms; graphene's async call runs it off the event loop). PKCS#11
// sessions are not thread-safe and a login is per application, so every call on a module goes through one mutex.
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as graphene from 'graphene-pk11';
import type { TokenSealConfig } from '../../lib/config.js';
import type { KeyMaterial, KeyStore } from './pki.js';
import type { SigningIdentity } from './signer.js';

export type TokenFailureReason =
  | 'module' // the PKCS#11 library cannot be loaded or initialised
  | 'token_absent' // no token with that label (unplugged, HSM unreachable): retried
  | 'pin_incorrect' // never retried: each try counts towards locking the token
  | 'pin_locked'
  | 'key_not_found'
  | 'certificate_not_found'
  | 'certificate_mismatch'
  | 'failed';

export type { TokenSealConfig };

/** A token that refused or could not sign; `retryable` only when it may answer later (absent, removed). */
export class TokenError extends Error {
  constructor(public readonly reason: TokenFailureReason, message: string, public readonly retryable = reason === 'token_absent') {
    super(message);
    this.name = 'TokenError';
  }
}

// PKCS#11 return values (PKCS#11 v2.40 §11.1) we tell apart.
const CKR = {
  SLOT_ID_INVALID: 0x03, DEVICE_ERROR: 0x30, DEVICE_MEMORY: 0x31, DEVICE_REMOVED: 0x32, KEY_HANDLE_INVALID: 0x60,
  OBJECT_HANDLE_INVALID: 0x82, PIN_INCORRECT: 0xa0, PIN_INVALID: 0xa1, PIN_LEN_RANGE: 0xa2, PIN_EXPIRED: 0xa3, PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0, SESSION_HANDLE_INVALID: 0xb3, TOKEN_NOT_PRESENT: 0xe0, TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100, USER_NOT_LOGGED_IN: 0x101, CRYPTOKI_NOT_INITIALIZED: 0x190,
} as const;
/** The session (or the token behind it) is gone: open a new one and try once more. */
const SESSION_LOST = new Set<number>([CKR.SLOT_ID_INVALID, CKR.DEVICE_ERROR, CKR.DEVICE_REMOVED, CKR.KEY_HANDLE_INVALID, CKR.OBJECT_HANDLE_INVALID,
  CKR.SESSION_CLOSED, CKR.SESSION_HANDLE_INVALID, CKR.TOKEN_NOT_PRESENT, CKR.TOKEN_NOT_RECOGNIZED, CKR.USER_NOT_LOGGED_IN, CKR.CRYPTOKI_NOT_INITIALIZED]);
const ckr = (e: unknown): number | null => (typeof (e as { code?: unknown })?.code === 'number' ? (e as { code: number }).code : null);

interface OpenToken {
  session: graphene.Session;
  key: graphene.PrivateKey;
  keyType: 'rsa' | 'ec';
  keyId: Buffer | null;
}

/** One loaded PKCS#11 library: its sessions, one per token label, and the mutex every call takes. */
export class Pkcs11Module {
  private readonly tokens = new Map<string, OpenToken>();
  /** PINs a token refused (their hash), per token: never presented again by this process. */
  private readonly refusedPins = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(readonly path: string, private readonly mod: graphene.Module) {}

  /** Loads and initialises the library; a missing or broken one is a TokenError('module'). */
  static open(path: string): Pkcs11Module {
    let mod: graphene.Module;
    try {
      mod = graphene.Module.load(path, 'pkcs11');
      mod.initialize();
    } catch (e) {
      throw new TokenError('module', `Cannot load the PKCS#11 module PKCS11_MODULE=${path}: ${(e as Error).message}`, false);
    }
    return new Pkcs11Module(path, mod);
  }

  /** The seal's identity: certificates from the token (or the configured PEM), checked against the key with one signature. */
  async identity(seal: TokenSealConfig): Promise<SigningIdentity> {
    const { certDer, chainDer, keyType } = await this.locked(async () => this.withToken(seal, (t) => this.certificatesOf(seal, t)));
    const identity: SigningIdentity = {
      certDer, chainDer, keyType,
      commonName: commonNameOf(certDer),
      sign: (data) => this.sign(seal, data),
    };
    const probe = Buffer.from(`seal key check ${seal.token}/${seal.key}`);
    if (!cryptoVerify('sha256', probe, { key: new X509Certificate(certDer).publicKey, dsaEncoding: 'der' }, await identity.sign(probe))) {
      throw new TokenError('certificate_mismatch', `The certificate for key "${seal.key}" on token "${seal.token}" is not the key's`);
    }
    return identity;
  }

  /** SHA-256 signature of `data` by the seal's key: RSA PKCS#1 v1.5 (CKM_SHA256_RSA_PKCS) or ECDSA (CKM_ECDSA on the hash, DER). */
  sign(seal: TokenSealConfig, data: Buffer): Promise<Buffer> {
    return this.locked(() => this.withToken(seal, async (t) => {
      if (t.keyType === 'rsa') return callSign(t.session, 'SHA256_RSA_PKCS', t.key, data);
      return ecdsaDer(await callSign(t.session, 'ECDSA', t.key, createHash('sha256').update(data).digest()));
    }));
  }

  /** Closes the sessions and finalises the library (tests; a worker keeps it for its lifetime). */
  close(): Promise<void> {
    return this.locked(async () => {
      if (this.closed) return;
      this.closed = true;
      for (const t of this.tokens.values()) closeQuietly(t.session);
      this.tokens.clear();
      try { this.mod.finalize(); } catch { /* already finalised */ }
      modules.delete(this.path);
    });
  }

  private locked<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new TokenError('module', `PKCS#11 module ${this.path} is closed`, false);
      return f();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `f` on the token's session, opening one (and logging in) when needed; a lost session is opened again once. */
  private async withToken<T>(seal: TokenSealConfig, f: (t: OpenToken) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const t = this.tokens.get(seal.token) ?? this.openToken(seal);
      try {
        return await f(t);
      } catch (e) {
        const code = ckr(e);
        if (code === null || !SESSION_LOST.has(code) || attempt > 0) throw tokenError(seal, e);
        closeQuietly(t.session);
        this.tokens.delete(seal.token);
        if (code === CKR.CRYPTOKI_NOT_INITIALIZED || code === CKR.DEVICE_REMOVED) this.reinitialise();
      }
    }
  }

  private presentSlots(): { slot: graphene.Slot; label: string }[] {
    const slots = this.mod.getSlots(true);
    const out: { slot: graphene.Slot; label: string }[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots.items(i);
      try {
        out.push({ slot, label: slot.getToken().label.trim() });
      } catch { /* a token that went away while listing */ }
    }
    return out;
  }

  /** Some libraries see a re-inserted token only after C_Finalize / C_Initialize; every session is lost then. */
  private reinitialise(): void {
    for (const t of this.tokens.values()) closeQuietly(t.session);
    this.tokens.clear();
    try { this.mod.finalize(); } catch { /* not initialised */ }
    this.mod.initialize();
  }

  private openToken(seal: TokenSealConfig): OpenToken {
    let found = this.presentSlots().find((s) => s.label === seal.token);
    if (!found) {
      try { this.reinitialise(); } catch (e) { throw tokenError(seal, e); }
      found = this.presentSlots().find((s) => s.label === seal.token);
    }
    if (!found) throw new TokenError('token_absent', `No token labelled "${seal.token}" is present`);
    if (!seal.pin) throw new TokenError('pin_incorrect', `No PIN for token "${seal.token}" (${seal.pinEnv} is not set)`);
    const pinHash = createHash('sha256').update(seal.pin).digest('hex');
    if (this.refusedPins.get(seal.token) === pinHash) {
      throw new TokenError('pin_incorrect', `Token "${seal.token}" refused this PIN before; not presented again`);
    }
    const session = found.slot.open(graphene.SessionFlag.SERIAL_SESSION);
    try {
      try {
        session.login(seal.pin, graphene.UserType.USER);
      } catch (e) {
        if (ckr(e) !== CKR.USER_ALREADY_LOGGED_IN) throw e;
      }
      const id = seal.id ? Buffer.from(seal.id, 'hex') : null;
      const keys = session.find({ class: graphene.ObjectClass.PRIVATE_KEY, label: seal.key, ...(id ? { id } : {}) });
      if (keys.length === 0) throw new TokenError('key_not_found', `No private key labelled "${seal.key}"${id ? ` with id ${seal.id}` : ''} on token "${seal.token}"`);
      const key = keys.items(0).toType<graphene.PrivateKey>();
      const keyType = key.type === graphene.KeyType.RSA ? 'rsa' : key.type === graphene.KeyType.EC ? 'ec' : null;
      if (!keyType) throw new TokenError('key_not_found', `Key "${seal.key}" on token "${seal.token}" is neither RSA nor EC`);
      const keyId = key.id?.length ? Buffer.from(key.id) : null;
      const t = { session, key, keyType, keyId } as OpenToken;
      this.tokens.set(seal.token, t);
      return t;
    } catch (e) {
      closeQuietly(session);
      if (ckr(e) === CKR.PIN_INCORRECT) this.refusedPins.set(seal.token, pinHash);
      throw tokenError(seal, e);
    }
  }

  /** The signer certificate (same CKA_ID as the key, else same label; else the PEM file's) and its issuers. */
  private async certificatesOf(seal: TokenSealConfig, t: OpenToken): Promise<{ certDer: Buffer; chainDer: Buffer[]; keyType: 'rsa' | 'ec' }> {
    const onToken: Buffer[] = [];
    const all = t.session.find({ class: graphene.ObjectClass.CERTIFICATE });
    let signer: Buffer | null = null;
    for (let i = 0; i < all.length; i++) {
      const c = all.items(i).toType<graphene.X509Certificate>();
      const der = Buffer.from(c.value);
      onToken.push(der);
      const sameId = t.keyId && c.id?.length && Buffer.from(c.id).equals(t.keyId);
      if (!signer && (sameId || (!t.keyId && c.label === seal.key))) signer = der;
    }
    const fromFile = seal.certificates ? pemCertificates(readFileSync(seal.certificates, 'utf8')) : [];
    signer ??= fromFile[0] ?? null;
    if (!signer) throw new TokenError('certificate_not_found', `No certificate for key "${seal.key}" on token "${seal.token}" (nor a certificates file)`);
    return { certDer: signer, chainDer: chainOf(signer, [...onToken, ...fromFile]), keyType: t.keyType };
  }
}

/** graphene's asynchronous C_Sign (runs in libuv's pool), as a promise. */
function callSign(session: graphene.Session, mech: graphene.MechanismType, key: graphene.PrivateKey, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    session.createSign(mech, key).once(data, (err, sig) => (err ? reject(err) : resolve(Buffer.from(sig))));
  });
}

/** PKCS#11 ECDSA gives r||s; CMS wants Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5753). */
function ecdsaDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) v = v.subarray(1);
    if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return new asn1js.Integer({ valueHex: Uint8Array.from(v).buffer });
  };
  return Buffer.from(new asn1js.Sequence({ value: [int(raw.subarray(0, half)), int(raw.subarray(half))] }).toBER(false));
}

function closeQuietly(s: graphene.Session): void {
  try { s.close(); } catch { /* already gone with its token */ }
}

function tokenError(seal: TokenSealConfig, e: unknown): TokenError {
  if (e instanceof TokenError) return e;
  const code = ckr(e);
  const what = `token "${seal.token}": ${(e as Error)?.message ?? e}`;
  if (code === CKR.PIN_INCORRECT || code === CKR.PIN_INVALID || code === CKR.PIN_LEN_RANGE) return new TokenError('pin_incorrect', `Wrong PIN for ${what}`);
  if (code === CKR.PIN_LOCKED || code === CKR.PIN_EXPIRED) return new TokenError('pin_locked', `PIN locked or expired on ${what}`);
  if (code !== null && SESSION_LOST.has(code)) return new TokenError('token_absent', `Lost ${what}`);
  return new TokenError('failed', `PKCS#11 failure on ${what}`);
}

function pemCertificates(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).raw);
}

/** Signer first, then each issuer found among `pool`, up to a self-signed one. */
function chainOf(signer: Buffer, pool: Buffer[]): Buffer[] {
  const certs = pool.map((d) => new X509Certificate(d));
  const chain = [signer];
  for (let cur = new X509Certificate(signer); chain.length < 8;) {
    if (cur.checkIssued(cur)) break;
    const issuer = certs.find((c) => cur.checkIssued(c) && !chain.some((d) => d.equals(c.raw)));
    if (!issuer) break;
    chain.push(issuer.raw);
    cur = issuer;
  }
  return chain;
}

function commonNameOf(der: Buffer): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(der).subject)?.[1] ?? '';
}

// ---- the worker's modules and the seal key store --------------------------------------------------------------
const modules = new Map<string, Pkcs11Module>();

/** The process's one instance of the library at `path` (PKCS#11 allows one C_Initialize per process). */
export function pkcs11Module(path: string): Pkcs11Module {
  let m = modules.get(path);
  if (!m) modules.set(path, (m = Pkcs11Module.open(path)));
  return m;
}

/** `base`, except the seals of the agencies in `seals`, which sign in their token (identities kept per process). */
export function withTokenSeals(base: KeyStore, module: Pkcs11Module, seals: Record<string, TokenSealConfig>): KeyStore {
  const identities = new Map<string, Promise<SigningIdentity>>();
  return {
    leaderKey: (user) => base.leaderKey(user),
    caCertPem: () => base.caCertPem(),
    sealKey(agency): Promise<KeyMaterial | SigningIdentity> {
      const seal = seals[agency.code];
      if (!seal) return base.sealKey(agency);
      let p = identities.get(agency.code);
      if (!p) {
        p = module.identity(seal);
        identities.set(agency.code, p);
        p.catch(() => identities.delete(agency.code)); // a token absent now is asked again next time
      }
      return p;
    },
  };
}

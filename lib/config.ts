// Configuration from the environment. Only the composition roots (worker.ts, server.ts, scripts) call this.
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseBookingLimits, type BookingLimits } from '../domain/appointments.js';
import type { WorkflowOptions } from '../domain/dossier.js';
import { parseKek } from './key-encryption.js';

export interface Config {
  mode: 'demo' | 'production';
  port: number;
  dataDir: string;
  databaseUrl: string | null;
  embeddedPgPort: number;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  smtpUrl: string | null;
  smsGatewayUrl: string | null;
  smsGatewayToken: string | null;
  mailFrom: string;
  sessionSecret: string;
  publicUrl: string;
  maxAttachmentBytes: number;
  /** How long a person's action waits for its result before the answer "đang xử lý" (ms). */
  actionAnswerMs: number;
  workflow: WorkflowOptions;
  /** Webhooks: attempts of one delivery (WEBHOOK_ATTEMPTS, default 15: about a day with the backoff) and the first
   *  wait between them (WEBHOOK_BACKOFF, default '5 seconds', doubling up to 10 minutes). */
  webhooks: { attempts: number; initialInterval: string };
  /** Demo and tests only: the reminder and no-show fire after these delays instead of the real instants. */
  appointmentTimers: { reminderMs: number; noShowMs: number } | null;
  /** Appointments one portal account may hold per day, and per day at one agency (APPOINTMENT_LIMITS). */
  appointmentLimits: BookingLimits;
  /** PAdES baseline level of the leader's signature and the seal, and the TSA that B-T and above need. */
  signature: SignatureConfig;
  /** Base URL of the test CA's OCSP responder, CRL and TSA (TRUST_SERVICES_URL): demo default on loopback, none in production. */
  trustServicesUrl: string | null;
  /** KEY_ENCRYPTION_KEY (32 bytes, base64) wraps uploaded private keys; null in demo: a generated one in the data
   *  folder (lib/key-encryption.ts). KEY_ENCRYPTION_KEYS_PREVIOUS: older KEKs, while rotating. */
  keyEncryptionKey: string | null;
  previousKeyEncryptionKeys: string[];
  /** PAYLOAD_ENCRYPTION_KEY (32 bytes, base64) encrypts every Temporal payload (lib/payload-codec.ts); null in demo:
   *  a generated one in the data folder. PAYLOAD_ENCRYPTION_KEYS_PREVIOUS: older keys, which still decode. */
  payloadEncryptionKey: string | null;
  previousPayloadEncryptionKeys: string[];
  /** WORKFLOW_BUNDLE: the prebuilt workflow bundle of `npm run build` the worker loads; null: bundled at start. */
  workflowBundle: string | null;
  /** TEMPORAL_UI_ORIGINS: the Temporal Web UI origins allowed to call the codec endpoint with the user's session
   *  (CORS); demo default the dev server's UI on port 8233. */
  temporalUiOrigins: string[];
  /** Agencies whose seal key is in a PKCS#11 token or HSM (PKCS11_MODULE, SEAL_PKCS11); null: every seal from the key store. */
  tokenSeals: TokenSeals | null;
  /** TRUST_ANCHORS: a folder of the CA certificates (PEM or DER) that verification trusts for signers and TSAs
   *  (read by activities/pdf/trust-anchors.ts); demo mode trusts its own test CA as well. Required in production. */
  trustAnchorsDir: string | null;
  /** VERIFY_REVOCATION_ONLINE=on: when a file carries no revocation data, the public verification asks the
   *  certificate's OCSP responder / CRL, within a few seconds. Off by default: verification stays offline. */
  verifyRevocationOnline: boolean;
  /** Archival renewal of issued e-copies by a Temporal Schedule (ARCHIVE_RENEWAL, _SCHEDULE, _MARGIN_DAYS). */
  archiveRenewal: ArchiveRenewalConfig;
}


// ---- the agency seal in a PKCS#11 token -------------------------------------------------------------------
/** One agency's seal in a token: the token's label, the private key's label (and CKA_ID, hex), the PIN read from `pinEnv`. */
export interface TokenSealConfig {
  token: string;
  key: string;
  id?: string | null;
  /** Null when `pinEnv` is not set: the web server reads the same settings without needing the PIN; the worker refuses to start. */
  pin: string | null;
  pinEnv: string;
  /** A PEM file with the signer certificate (when the token holds none) and/or its issuers. */
  certificates?: string | null;
}
export interface TokenSeals {
  /** Path of the PKCS#11 library (PKCS11_MODULE), loaded once by the worker. */
  module: string;
  /** By agency code. */
  seals: Record<string, TokenSealConfig>;
}

/** The PIN variables named in SEAL_PKCS11 that are not set. */
export const missingSealPins = (t: TokenSeals | null): string[] =>
  Object.values(t?.seals ?? {}).filter((s) => !s.pin).map((s) => s.pinEnv);

const SEAL_FIELDS = new Set(['token', 'key', 'id', 'pinEnv', 'certificates']);

/** SEAL_PKCS11: JSON `{"<agency code>": {"token": label, "key": label, "id"?: hex, "pinEnv": NAME, "certificates"?: path}}`;
 *  PKCS11_MODULE names the library. The PIN is read from the variable `pinEnv` names, so it is never in a file; only the
 *  worker needs it (it refuses to start without it: `missingSealPins`). */
function tokenSealsOf(env: NodeJS.ProcessEnv): TokenSeals | null {
  const raw = env.SEAL_PKCS11?.trim();
  if (!raw) {
    if (env.PKCS11_MODULE) throw new Error('Refusing to start: PKCS11_MODULE is set but SEAL_PKCS11 names no agency seal in the token.');
    return null;
  }
  const refuse = (why: string): never => { throw new Error(`Refusing to start: SEAL_PKCS11 ${why}.`); };
  const module = env.PKCS11_MODULE;
  if (!module || !path.isAbsolute(module)) refuse('needs PKCS11_MODULE, the absolute path of the PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so)');
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { refuse('is not JSON: use {"<agency code>": {"token": "...", "key": "...", "pinEnv": "..."}}'); }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) refuse('must be a JSON object by agency code');
  const seals: Record<string, TokenSealConfig> = {};
  for (const [agency, v] of Object.entries(parsed as Record<string, unknown>)) {
    const o = (v && typeof v === 'object' && !Array.isArray(v) ? v : refuse(`for ${agency} must be an object`)) as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !SEAL_FIELDS.has(k));
    if (unknown.length) refuse(`for ${agency} has unknown settings ${unknown.join(', ')} (known: ${[...SEAL_FIELDS].join(', ')})`);
    const str = (k: string, required: boolean): string | null => {
      const x = o[k];
      if (x === undefined || x === null) return required ? refuse(`for ${agency} needs "${k}"`) : null;
      if (typeof x !== 'string' || !x.trim()) return refuse(`for ${agency}: "${k}" must be a non-empty string`);
      return x.trim();
    };
    const pinEnv = str('pinEnv', true)!;
    if (!/^[A-Z_][A-Z0-9_]*$/.test(pinEnv)) refuse(`for ${agency}: pinEnv must name an environment variable (A-Z, 0-9, _)`);
    const pin = env[pinEnv] || null;
    const id = str('id', false);
    if (id && !/^([0-9a-fA-F]{2})+$/.test(id)) refuse(`for ${agency}: "id" must be hex (the key's CKA_ID)`);
    const certificates = str('certificates', false);
    seals[agency] = { token: str('token', true)!, key: str('key', true)!, id, pin, pinEnv, certificates: certificates ? path.resolve(certificates) : null };
  }
  return { module: module!, seals };
}


// ---- archival renewal ----------------------------------------------------------------------------------------
export interface ArchiveRenewalConfig {
  enabled: boolean;
  /** A cron line (Vietnam time) or an interval ('12h', '1d'). */
  schedule: { cron: string } | { every: string };
  /** Renew when the last document timestamp's TSA certificate expires within this many days. */
  marginDays: number;
}

/** ARCHIVE_RENEWAL (on/off; default on at B-LTA), ARCHIVE_RENEWAL_SCHEDULE (default daily at 02:00, '0 2 * * *'),
 *  ARCHIVE_RENEWAL_MARGIN_DAYS (default 365). */
function archiveRenewalOf(env: NodeJS.ProcessEnv, level: SignatureLevel): ArchiveRenewalConfig {
  const raw = env.ARCHIVE_RENEWAL;
  if (raw !== undefined && raw !== 'on' && raw !== 'off') throw new Error(`Refusing to start: ARCHIVE_RENEWAL=${JSON.stringify(raw)} must be on or off.`);
  const enabled = raw === undefined ? level === 'B-LTA' : raw === 'on';
  if (enabled && level !== 'B-LTA') throw new Error(`Refusing to start: ARCHIVE_RENEWAL=on needs SIGNATURE_LEVEL=B-LTA (it renews document timestamps), not ${level}.`);
  const line = (env.ARCHIVE_RENEWAL_SCHEDULE ?? '0 2 * * *').trim();
  let schedule: ArchiveRenewalConfig['schedule'];
  if (/^\d+\s*(s|m|h|d)$/.test(line)) schedule = { every: line.replace(/\s+/g, '') };
  else if (/^(\S+\s+){4}\S+$/.test(line) && /^[\d*\/,\-\s]+$/.test(line)) schedule = { cron: line };
  else throw new Error(`Refusing to start: ARCHIVE_RENEWAL_SCHEDULE=${JSON.stringify(line)} is neither a cron line ('0 2 * * *') nor an interval ('12h', '1d').`);
  const margin = env.ARCHIVE_RENEWAL_MARGIN_DAYS ?? '365';
  if (!/^\d+$/.test(margin)) throw new Error(`Refusing to start: ARCHIVE_RENEWAL_MARGIN_DAYS=${JSON.stringify(margin)} is not a number of days.`);
  return { enabled, schedule, marginDays: Number(margin) };
}

// ---- signatures: PAdES level and time-stamping authority ---------------------------------------------------
export type SignatureLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export interface SignatureConfig {
  level: SignatureLevel;
  /** RFC 3161 TSA (TSA_URL, optional TSA_USERNAME / TSA_PASSWORD); null when none is configured. */
  tsa: { url: string; username: string | null; password: string | null } | null;
}
const LEVELS: readonly SignatureLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];
/** True for the levels whose signatures carry a signature timestamp (all but B-B). */
export const timestamped = (level: SignatureLevel) => level !== 'B-B';

/** SIGNATURE_LEVEL (B-B, B-T, B-LT, B-LTA; default B-LTA when a TSA is configured, else B-B), TSA_URL (demo default: the demo trust
 *  services' TSA), TSA_USERNAME, TSA_PASSWORD. */
function signatureOf(env: NodeJS.ProcessEnv, mode: Config['mode'], trustServicesUrl: string | null): SignatureConfig {
  const url = env.TSA_URL || (mode === 'demo' && trustServicesUrl ? `${trustServicesUrl}/tsa` : null);
  if (url && !/^https?:\/\/[^/]/.test(url)) throw new Error(`Refusing to start: TSA_URL=${JSON.stringify(url)} is not an http(s) URL.`);
  const raw = env.SIGNATURE_LEVEL;
  if (raw !== undefined && !LEVELS.includes(raw as SignatureLevel)) {
    throw new Error(`Refusing to start: SIGNATURE_LEVEL=${JSON.stringify(raw)} is not a PAdES baseline level; use B-B, B-T, B-LT or B-LTA.`);
  }
  // B-LTA by default with a TSA: the e-copy carries its own validation data and a document timestamp, so it can
  // still be validated after the certificates expire; the upload verification accepts these updates after the seal.
  const level: SignatureLevel = (raw as SignatureLevel | undefined) ?? (url ? 'B-LTA' : 'B-B');
  if (timestamped(level) && !url) {
    throw new Error(`Refusing to start${mode === 'production' ? ' in production mode' : ''}: SIGNATURE_LEVEL=${level} needs TSA_URL (an RFC 3161 time-stamping authority).`);
  }
  return { level, tsa: url ? { url, username: env.TSA_USERNAME || null, password: env.TSA_PASSWORD || null } : null };
}

/** TRUST_ANCHORS, when set, must be a folder (its certificates are read at start-up, where a bad one refuses too). */
function trustAnchorsOf(env: NodeJS.ProcessEnv): string | null {
  const raw = env.TRUST_ANCHORS;
  if (raw === undefined || raw === '') return null;
  const dir = path.resolve(raw);
  let ok = false;
  try { ok = statSync(dir).isDirectory(); } catch { /* refused below */ }
  if (!ok) throw new Error(`Refusing to start: TRUST_ANCHORS=${JSON.stringify(raw)} is not a folder of CA certificates.`);
  return dir;
}

function onOff(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'off') return false;
  if (raw === 'on') return true;
  throw new Error(`Refusing to start: ${name}=${JSON.stringify(raw)}; use on or off.`);
}

const listOf = (v: string | undefined) => (v ?? '').split(',').map((k) => k.trim()).filter(Boolean);

/** The port of the demo trust services (scripts/trust-services.ts), next to the app's. */
export const DEMO_TRUST_SERVICES_PORT = 3090;

export const DEFAULT_SESSION_SECRET = 'demo-secret-not-for-production';

const MODES: readonly Config['mode'][] = ['demo', 'production'];

/**
 * The mode, from APP_MODE (default demo). A mode we do not know is refused rather than read as demo: demo seeds
 * well-known accounts, so `APP_MODE=PRODUCTION` must never start a demo on the production database.
 * NODE_ENV=production (Node's and Express's own switch) also means production, so a deployment that sets only that
 * still gets production's refusals; a spelling of it that Node and Express would not honour, or a demo that
 * contradicts it, is refused too. Other NODE_ENV values (test, development) say nothing about the mode.
 */
function modeOf(env: NodeJS.ProcessEnv): Config['mode'] {
  const appMode = env.APP_MODE;
  if (appMode !== undefined && !MODES.includes(appMode as Config['mode'])) {
    throw new Error(`Refusing to start: APP_MODE=${JSON.stringify(appMode)} is not a mode; use APP_MODE=demo or APP_MODE=production (lowercase).`);
  }
  const nodeEnv = env.NODE_ENV;
  if (nodeEnv !== undefined && nodeEnv !== 'production' && nodeEnv.trim().toLowerCase() === 'production') {
    throw new Error(`Refusing to start: NODE_ENV=${JSON.stringify(nodeEnv)} is not NODE_ENV=production (lowercase), which Node and Express expect.`);
  }
  if (appMode === 'demo' && nodeEnv === 'production') {
    throw new Error('Refusing to start: APP_MODE=demo contradicts NODE_ENV=production; set APP_MODE=production, or unset NODE_ENV for a demo.');
  }
  return appMode === 'production' || nodeEnv === 'production' ? 'production' : 'demo';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = modeOf(env);
  const port = Number(env.PORT ?? 3000);
  const trustServicesUrl = (env.TRUST_SERVICES_URL || (mode === 'demo' ? `http://127.0.0.1:${DEMO_TRUST_SERVICES_PORT}` : '')).replace(/\/$/, '') || null;
  const signature = signatureOf(env, mode, trustServicesUrl);
  const cfg: Config = {
    mode,
    port,
    dataDir: path.resolve(env.DATA_DIR ?? '.data'),
    databaseUrl: env.DATABASE_URL || null,
    embeddedPgPort: Number(env.EMBEDDED_PG_PORT ?? 54329),
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TASK_QUEUE ?? 'dossiers',
    smtpUrl: env.SMTP_URL || null,
    smsGatewayUrl: env.SMS_GATEWAY_URL || null,
    smsGatewayToken: env.SMS_GATEWAY_TOKEN || null,
    mailFrom: env.MAIL_FROM ?? 'Chứng thực điện tử <no-reply@chungthuc.local>',
    sessionSecret: env.SESSION_SECRET ?? DEFAULT_SESSION_SECRET,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    maxAttachmentBytes: Number(env.MAX_ATTACHMENT_BYTES ?? 10 * 1024 * 1024),
    actionAnswerMs: env.ACTION_ANSWER_MS && /^\d+$/.test(env.ACTION_ANSWER_MS) ? Number(env.ACTION_ANSWER_MS) : 5000,
    appointmentTimers: env.APPOINTMENT_TIMERS_MS && /^\d+,\d+$/.test(env.APPOINTMENT_TIMERS_MS)
      ? { reminderMs: Number(env.APPOINTMENT_TIMERS_MS.split(',')[0]), noShowMs: Number(env.APPOINTMENT_TIMERS_MS.split(',')[1]) }
      : null,
    appointmentLimits: parseBookingLimits(env.APPOINTMENT_LIMITS),
    signature,
    archiveRenewal: archiveRenewalOf(env, signature.level),
    trustServicesUrl,
    keyEncryptionKey: env.KEY_ENCRYPTION_KEY || null,
    previousKeyEncryptionKeys: listOf(env.KEY_ENCRYPTION_KEYS_PREVIOUS),
    workflowBundle: env.WORKFLOW_BUNDLE ? path.resolve(env.WORKFLOW_BUNDLE) : null,
    payloadEncryptionKey: env.PAYLOAD_ENCRYPTION_KEY || null,
    previousPayloadEncryptionKeys: listOf(env.PAYLOAD_ENCRYPTION_KEYS_PREVIOUS),
    temporalUiOrigins: env.TEMPORAL_UI_ORIGINS !== undefined ? listOf(env.TEMPORAL_UI_ORIGINS).map((o) => o.replace(/\/$/, ''))
      : mode === 'demo' ? ['http://localhost:8233', 'http://127.0.0.1:8233'] : [],
    tokenSeals: tokenSealsOf(env),
    trustAnchorsDir: trustAnchorsOf(env),
    verifyRevocationOnline: onOff(env, 'VERIFY_REVOCATION_ONLINE'),
    webhooks: {
      attempts: env.WEBHOOK_ATTEMPTS && /^\d{1,3}$/.test(env.WEBHOOK_ATTEMPTS) && Number(env.WEBHOOK_ATTEMPTS) > 0 ? Number(env.WEBHOOK_ATTEMPTS) : 15,
      initialInterval: env.WEBHOOK_BACKOFF && /^\d+ (milliseconds|seconds|minutes)$/.test(env.WEBHOOK_BACKOFF) ? env.WEBHOOK_BACKOFF : '5 seconds',
    },
    workflow: {
      redeliveryWindow: env.REDELIVERY_WINDOW ?? '30 days',
      deliveryAttempts: Number(env.DELIVERY_ATTEMPTS ?? 6),
      deliveryInitialInterval: env.DELIVERY_BACKOFF ?? '2 seconds',
      ...(env.PDF_ATTEMPTS && /^\d+$/.test(env.PDF_ATTEMPTS) && Number(env.PDF_ATTEMPTS) > 0 ? { pdfAttempts: Number(env.PDF_ATTEMPTS) } : {}),
      ...(env.OVERDUE_AFTER_MS && /^\d+$/.test(env.OVERDUE_AFTER_MS) ? { overdueAfterMs: Number(env.OVERDUE_AFTER_MS) } : {}),
    },
  };
  if (mode === 'production') {
    const problems: string[] = [];
    if (!env.SESSION_SECRET || cfg.sessionSecret === DEFAULT_SESSION_SECRET || cfg.sessionSecret.length < 32) {
      problems.push('SESSION_SECRET must be set to a random string of at least 32 characters');
    }
    if (!cfg.databaseUrl) problems.push('DATABASE_URL must name the production PostgreSQL server');
    if (cfg.databaseUrl && /:(postgres|password|demo)@/.test(cfg.databaseUrl)) problems.push('DATABASE_URL uses a default password');
    if (!cfg.smtpUrl) problems.push('SMTP_URL must name the mail server');
    if (!cfg.keyEncryptionKey) problems.push('KEY_ENCRYPTION_KEY must be set (32 random bytes in base64, e.g. `openssl rand -base64 32`): it encrypts the uploaded private keys');
    else {
      try { parseKek(cfg.keyEncryptionKey, 'KEY_ENCRYPTION_KEY'); } catch (e) { problems.push((e as Error).message); }
    }
    if (!cfg.payloadEncryptionKey) problems.push('PAYLOAD_ENCRYPTION_KEY must be set (32 random bytes in base64, e.g. `openssl rand -base64 32`): it encrypts the personal data in Temporal\'s workflow histories');
    else {
      try { parseKek(cfg.payloadEncryptionKey, 'PAYLOAD_ENCRYPTION_KEY'); } catch (e) { problems.push((e as Error).message); }
      if (cfg.payloadEncryptionKey === cfg.keyEncryptionKey) problems.push('PAYLOAD_ENCRYPTION_KEY must differ from KEY_ENCRYPTION_KEY');
    }
    const badOrigins = cfg.temporalUiOrigins.filter((o) => !/^https?:\/\/[^/\s]+$/.test(o));
    if (badOrigins.length) problems.push(`TEMPORAL_UI_ORIGINS must be origins like https://temporal.example.gov.vn: ${badOrigins.join(', ')}`);
    // Production trusts no built-in CA: without anchors every e-copy would verify as untrusted.
    if (!cfg.trustAnchorsDir) problems.push('TRUST_ANCHORS must name the folder of the CA certificates that verification trusts');
    if (problems.length) throw new Error(`Refusing to start in production mode:\n - ${problems.join('\n - ')}`);
  }
  return cfg;
}

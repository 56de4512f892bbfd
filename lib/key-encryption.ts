// Private keys at rest: AES-256-GCM under a key-encryption key (KEK) from the environment, each wrapped blob
// tagged with the id of the KEK that wrapped it, so the KEK can be rotated (scripts/rewrap-keys.ts re-wraps).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyRing {
  /** The KEK new blobs are wrapped with. */
  readonly currentId: string;
  /** Every KEK that may still unwrap a blob: the current one and the previous ones (during a rotation). */
  readonly keys: ReadonlyMap<string, Buffer>;
}

export interface WrappedKey {
  kekId: string;
  /** iv (12 bytes) | tag (16 bytes) | ciphertext. */
  blob: Buffer;
}

export class KeyEncryptionError extends Error {}

/** A KEK's id: not secret (a hash prefix of the key), stored beside each blob. */
export const kekIdOf = (kek: Buffer) => createHash('sha256').update('kek-id\0').update(kek).digest('hex').slice(0, 16);

/** A KEK from its base64 text (32 bytes); the error names the setting. */
export function parseKek(text: string, setting: string): Buffer {
  const kek = Buffer.from(text.trim(), 'base64');
  if (kek.length !== 32 || kek.toString('base64') !== text.trim()) {
    throw new KeyEncryptionError(`${setting} must be 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`).`);
  }
  return kek;
}

export function keyRing(current: Buffer, previous: Buffer[] = []): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...previous]) keys.set(kekIdOf(k), k);
  return { currentId: kekIdOf(current), keys };
}

/**
 * The key ring of the configuration: KEY_ENCRYPTION_KEY (and KEY_ENCRYPTION_KEYS_PREVIOUS, comma-separated,
 * while rotating). Demo mode without one keeps a generated KEK in the data folder, so a demo restart can still
 * open its keys; production refuses to start without it (lib/config.ts).
 */
export function keyRingOf(cfg: { keyEncryptionKey: string | null; previousKeyEncryptionKeys: string[]; dataDir: string }): KeyRing {
  return ringOfSettings(cfg.keyEncryptionKey, cfg.previousKeyEncryptionKeys, {
    dataDir: cfg.dataDir, demoFile: 'demo-kek', setting: 'KEY_ENCRYPTION_KEY', previousSetting: 'KEY_ENCRYPTION_KEYS_PREVIOUS',
  });
}

/**
 * A ring of AES-256 keys from a setting (its current key) and the previous ones; without the setting (demo
 * mode: production refuses to start without it, lib/config.ts) a generated key kept in the data folder's
 * `secrets/<demoFile>`, made once by whichever process (web, worker) comes first.
 */
export function ringOfSettings(current: string | null, previousKeys: string[], o: { dataDir: string; demoFile: string; setting: string; previousSetting: string }): KeyRing {
  const previous = previousKeys.map((k) => parseKek(k, o.previousSetting));
  if (current) return keyRing(parseKek(current, o.setting), previous);
  const file = path.join(o.dataDir, 'secrets', o.demoFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    text = randomBytes(32).toString('base64');
    try {
      writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      text = readFileSync(file, 'utf8'); // another process (web, worker) made it first
    }
  }
  return keyRing(parseKek(text, file), previous);
}

/** Wraps `plaintext` under the current KEK; `context` (e.g. the certificate's fingerprint) is bound as AAD, so a
 *  blob moved to another row does not open. */
export function wrapKey(ring: KeyRing, plaintext: Buffer, context: string): WrappedKey {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', ring.keys.get(ring.currentId)!, iv);
  c.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return { kekId: ring.currentId, blob: Buffer.concat([iv, c.getAuthTag(), body]) };
}

export function unwrapKey(ring: KeyRing, wrapped: WrappedKey, context: string): Buffer {
  const kek = ring.keys.get(wrapped.kekId);
  if (!kek) throw new KeyEncryptionError(`The key-encryption key ${wrapped.kekId} is not configured (KEY_ENCRYPTION_KEY / KEY_ENCRYPTION_KEYS_PREVIOUS).`);
  if (wrapped.blob.length < 28) throw new KeyEncryptionError('Wrapped key is truncated');
  const d = createDecipheriv('aes-256-gcm', kek, wrapped.blob.subarray(0, 12));
  d.setAAD(Buffer.from(context, 'utf8'));
  d.setAuthTag(wrapped.blob.subarray(12, 28));
  try {
    return Buffer.concat([d.update(wrapped.blob.subarray(28)), d.final()]);
  } catch {
    throw new KeyEncryptionError('Wrapped key does not open: altered, or bound to another certificate');
  }
}

/** The same plaintext under the current KEK (a no-op answer when it already is). */
export function rewrapKey(ring: KeyRing, wrapped: WrappedKey, context: string): WrappedKey | null {
  if (wrapped.kekId === ring.currentId) return null;
  return wrapKey(ring, unwrapKey(ring, wrapped, context), context);
}

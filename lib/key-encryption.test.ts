import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyEncryptionError, keyRing, keyRingOf, parseKek, rewrapKey, unwrapKey, wrapKey } from './key-encryption.js';

const secret = Buffer.from('-----BEGIN PRIVATE KEY----- not really');

describe('private keys at rest', () => {
  it('round-trips under the current KEK and never stores the plaintext', () => {
    const ring = keyRing(randomBytes(32));
    const w = wrapKey(ring, secret, 'fp1');
    expect(w.kekId).toBe(ring.currentId);
    expect(w.blob.includes(secret)).toBe(false);
    expect(unwrapKey(ring, w, 'fp1')).toEqual(secret);
    expect(wrapKey(ring, secret, 'fp1').blob.equals(w.blob)).toBe(false); // a fresh IV each time
  });

  it('refuses an altered blob, a blob moved to another certificate, and an unknown KEK', () => {
    const ring = keyRing(randomBytes(32));
    const w = wrapKey(ring, secret, 'fp1');
    const altered = Buffer.from(w.blob);
    altered[altered.length - 1] ^= 1;
    expect(() => unwrapKey(ring, { ...w, blob: altered }, 'fp1')).toThrow(KeyEncryptionError);
    expect(() => unwrapKey(ring, w, 'fp2')).toThrow(/another certificate/);
    expect(() => unwrapKey(keyRing(randomBytes(32)), w, 'fp1')).toThrow(/not configured/);
  });

  it('rotates: the new ring still opens old blobs, and rewrapping moves them to the new KEK', () => {
    const oldKek = randomBytes(32);
    const w = wrapKey(keyRing(oldKek), secret, 'fp');
    const ring = keyRing(randomBytes(32), [oldKek]);
    expect(unwrapKey(ring, w, 'fp')).toEqual(secret);
    const moved = rewrapKey(ring, w, 'fp')!;
    expect(moved.kekId).toBe(ring.currentId);
    expect(unwrapKey(keyRing(ring.keys.get(ring.currentId)!), moved, 'fp')).toEqual(secret);
    expect(rewrapKey(ring, moved, 'fp')).toBeNull();
  });

  it('reads KEY_ENCRYPTION_KEY as 32 bytes of base64 and refuses anything else', () => {
    const k = randomBytes(32).toString('base64');
    expect(parseKek(k, 'KEY_ENCRYPTION_KEY')).toHaveLength(32);
    expect(() => parseKek(randomBytes(16).toString('base64'), 'KEY_ENCRYPTION_KEY')).toThrow(/KEY_ENCRYPTION_KEY must be 32/);
    expect(() => parseKek('not base64!', 'KEY_ENCRYPTION_KEY')).toThrow(KeyEncryptionError);
  });

  it('demo mode without a KEK keeps one generated KEK in the data folder, readable only by its owner', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kek-'));
    const a = keyRingOf({ keyEncryptionKey: null, previousKeyEncryptionKeys: [], dataDir });
    const b = keyRingOf({ keyEncryptionKey: null, previousKeyEncryptionKeys: [], dataDir });
    expect(b.currentId).toBe(a.currentId);
    const file = path.join(dataDir, 'secrets', 'demo-kek');
    expect(parseKek(readFileSync(file, 'utf8'), file)).toHaveLength(32);
    expect(statSync(file).mode & 0o077).toBe(0);
  });
});

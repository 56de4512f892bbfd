// The mode decides whether demo accounts are seeded: a mode we do not know must stop the start, never mean demo.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const ANCHORS = mkdtempSync(join(tmpdir(), 'anchors-'));

/** What a production deployment sets, so that only the mode is under test. */
const PRODUCTION_ENV = {
  SESSION_SECRET: 'x'.repeat(40),
  DATABASE_URL: 'postgres://chungthuc:s3cret-long-password@db.example.gov.vn:5432/chungthuc',
  SMTP_URL: 'smtps://user:pass@mail.example.gov.vn',
  KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  PAYLOAD_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
  TRUST_ANCHORS: ANCHORS,
};

describe('the mode', () => {
  it('is demo by default and with APP_MODE=demo, production with APP_MODE=production', () => {
    expect(loadConfig({}).mode).toBe('demo');
    expect(loadConfig({ APP_MODE: 'demo' }).mode).toBe('demo');
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV }).mode).toBe('production');
  });

  it.each(['PRODUCTION', 'Production', ' production', 'production ', 'prod', 'Demo', 'staging', ''])('refuses APP_MODE=%j instead of starting a demo', (value) => {
    expect(() => loadConfig({ APP_MODE: value, ...PRODUCTION_ENV })).toThrow(/APP_MODE=.*is not a mode/);
    expect(() => loadConfig({ APP_MODE: value })).toThrow(/APP_MODE/);
  });

  it('is production with NODE_ENV=production alone, with production refusals', () => {
    expect(loadConfig({ NODE_ENV: 'production', ...PRODUCTION_ENV }).mode).toBe('production');
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/Refusing to start in production mode/);
  });

  it.each(['PRODUCTION', 'Production', ' production'])('refuses NODE_ENV=%j, which Node and Express would not take for production', (value) => {
    expect(() => loadConfig({ NODE_ENV: value, ...PRODUCTION_ENV })).toThrow(/NODE_ENV/);
    expect(() => loadConfig({ APP_MODE: 'production', NODE_ENV: value, ...PRODUCTION_ENV })).toThrow(/NODE_ENV/);
  });

  it('refuses APP_MODE=demo with NODE_ENV=production rather than pick one', () => {
    expect(() => loadConfig({ APP_MODE: 'demo', NODE_ENV: 'production', ...PRODUCTION_ENV })).toThrow(/contradicts/);
  });

  it('leaves other NODE_ENV values to APP_MODE', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).mode).toBe('demo');
    expect(loadConfig({ NODE_ENV: 'development', APP_MODE: 'production', ...PRODUCTION_ENV }).mode).toBe('production');
  });
});

describe('the signature level', () => {
  const TSA = { TSA_URL: 'https://tsa.example.vn/tsr' };
  it('is B-LTA when a TSA is configured (demo mode: the demo TSA), else B-B; credentials ride along', () => {
    expect(loadConfig({}).signature).toEqual({ level: 'B-LTA', tsa: { url: 'http://127.0.0.1:3090/tsa', username: null, password: null } });
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV }).signature).toEqual({ level: 'B-B', tsa: null });
    expect(loadConfig({ ...TSA, TSA_USERNAME: 'u', TSA_PASSWORD: 'p' }).signature).toEqual({ level: 'B-LTA', tsa: { url: TSA.TSA_URL, username: 'u', password: 'p' } });
    expect(loadConfig({ ...TSA, SIGNATURE_LEVEL: 'B-B' }).signature.level).toBe('B-B');
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, ...TSA }).signature.level).toBe('B-LTA');
  });

  it('refuses B-T without a TSA_URL, in production as in demo', () => {
    expect(() => loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, SIGNATURE_LEVEL: 'B-T' })).toThrow(/production mode: SIGNATURE_LEVEL=B-T needs TSA_URL/);
    expect(() => loadConfig({ SIGNATURE_LEVEL: 'B-T', TRUST_SERVICES_URL: '', TSA_URL: '' }).signature.tsa).not.toBeNull(); // demo always has its own
  });

  it.each(['B-LT', 'B-LTA'])('accepts %s with a TSA (demo mode has its own), refuses it in production without TSA_URL', (level) => {
    expect(loadConfig({ ...TSA, SIGNATURE_LEVEL: level }).signature.level).toBe(level);
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, ...TSA, SIGNATURE_LEVEL: level }).signature.level).toBe(level);
    expect(loadConfig({ SIGNATURE_LEVEL: level }).signature.tsa?.url).toBe('http://127.0.0.1:3090/tsa'); // demo: its own TSA
    expect(() => loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, SIGNATURE_LEVEL: level })).toThrow(new RegExp(`production mode: SIGNATURE_LEVEL=${level} needs TSA_URL`));
  });

  it.each(['b-t', 'BT', 'PAdES-B-T', ''])('refuses SIGNATURE_LEVEL=%j and a TSA_URL that is not http(s)', (level) => {
    expect(() => loadConfig({ ...TSA, SIGNATURE_LEVEL: level })).toThrow(/is not a PAdES baseline level/);
    expect(() => loadConfig({ TSA_URL: 'tsa.example.vn' })).toThrow(/TSA_URL.*is not an http\(s\) URL/);
  });
});

describe('the archival renewal', () => {
  it('is on at B-LTA, daily at 02:00 with a 365-day margin; ARCHIVE_RENEWAL, _SCHEDULE (cron or interval), _MARGIN_DAYS change it', () => {
    expect(loadConfig({}).archiveRenewal).toEqual({ enabled: true, schedule: { cron: '0 2 * * *' }, marginDays: 365 });
    expect(loadConfig({ SIGNATURE_LEVEL: 'B-LT' }).archiveRenewal.enabled).toBe(false);
    expect(loadConfig({ ARCHIVE_RENEWAL: 'off', ARCHIVE_RENEWAL_SCHEDULE: '12h', ARCHIVE_RENEWAL_MARGIN_DAYS: '730' }).archiveRenewal)
      .toEqual({ enabled: false, schedule: { every: '12h' }, marginDays: 730 });
    expect(loadConfig({ ARCHIVE_RENEWAL_SCHEDULE: '30 1 * * 0' }).archiveRenewal.schedule).toEqual({ cron: '30 1 * * 0' });
  });

  it.each([
    [{ ARCHIVE_RENEWAL: 'yes' }, /ARCHIVE_RENEWAL="yes" must be on or off/],
    [{ ARCHIVE_RENEWAL: 'on', SIGNATURE_LEVEL: 'B-T' }, /ARCHIVE_RENEWAL=on needs SIGNATURE_LEVEL=B-LTA/],
    [{ ARCHIVE_RENEWAL_SCHEDULE: 'daily' }, /neither a cron line/],
    [{ ARCHIVE_RENEWAL_MARGIN_DAYS: '-1' }, /is not a number of days/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('the trust services', () => {
  it('are on loopback in demo mode, the TSA below them; TRUST_SERVICES_URL and TSA_URL move them', () => {
    expect(loadConfig({})).toMatchObject({ trustServicesUrl: 'http://127.0.0.1:3090', signature: { tsa: { url: 'http://127.0.0.1:3090/tsa' } } });
    expect(loadConfig({ TRUST_SERVICES_URL: 'http://127.0.0.1:4000/' })).toMatchObject({ trustServicesUrl: 'http://127.0.0.1:4000', signature: { tsa: { url: 'http://127.0.0.1:4000/tsa' } } });
    expect(loadConfig({ TSA_URL: 'https://tsa.example.vn/tsa' }).signature.tsa?.url).toBe('https://tsa.example.vn/tsa');
  });

  it('have no default in production', () => {
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV })).toMatchObject({ trustServicesUrl: null, signature: { tsa: null } });
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, TSA_URL: 'https://tsa.example.vn' }).signature.tsa?.url).toBe('https://tsa.example.vn');
  });
});

describe('the key-encryption key', () => {
  it('is required in production, and must be 32 bytes of base64', () => {
    const { KEY_ENCRYPTION_KEY: _, ...withoutKek } = PRODUCTION_ENV;
    expect(() => loadConfig({ APP_MODE: 'production', ...withoutKek })).toThrow(/KEY_ENCRYPTION_KEY must be set/);
    expect(() => loadConfig({ APP_MODE: 'production', ...withoutKek, KEY_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/KEY_ENCRYPTION_KEY must be 32 random bytes/);
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV }).keyEncryptionKey).toBe(PRODUCTION_ENV.KEY_ENCRYPTION_KEY);
  });

  it('is optional in demo mode, and older keys are listed while rotating', () => {
    expect(loadConfig({}).keyEncryptionKey).toBeNull();
    expect(loadConfig({ KEY_ENCRYPTION_KEYS_PREVIOUS: ' a , b,' }).previousKeyEncryptionKeys).toEqual(['a', 'b']);
  });
});

describe('the payload encryption key of Temporal', () => {
  it('is required in production, 32 bytes of base64, not the key-encryption key', () => {
    const { PAYLOAD_ENCRYPTION_KEY: _, ...without } = PRODUCTION_ENV;
    expect(() => loadConfig({ APP_MODE: 'production', ...without })).toThrow(/PAYLOAD_ENCRYPTION_KEY must be set/);
    expect(() => loadConfig({ APP_MODE: 'production', ...without, PAYLOAD_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/PAYLOAD_ENCRYPTION_KEY must be 32 random bytes/);
    expect(() => loadConfig({ APP_MODE: 'production', ...without, PAYLOAD_ENCRYPTION_KEY: PRODUCTION_ENV.KEY_ENCRYPTION_KEY })).toThrow(/must differ from KEY_ENCRYPTION_KEY/);
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV }).payloadEncryptionKey).toBe(PRODUCTION_ENV.PAYLOAD_ENCRYPTION_KEY);
  });

  it('Temporal UI origins: the dev server\'s in demo, none by default in production, and only origins', () => {
    expect(loadConfig({}).temporalUiOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV }).temporalUiOrigins).toEqual([]);
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, TEMPORAL_UI_ORIGINS: 'https://temporal.example.gov.vn/' }).temporalUiOrigins).toEqual(['https://temporal.example.gov.vn']);
    expect(() => loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, TEMPORAL_UI_ORIGINS: 'https://x.vn/path' })).toThrow(/TEMPORAL_UI_ORIGINS must be origins/);
  });
});

describe('the agency seal in a PKCS#11 token', () => {
  const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
  const seals = (v: unknown) => JSON.stringify(v);
  it('none by default; SEAL_PKCS11 names the token, the key and the variable holding the PIN, per agency code', () => {
    expect(loadConfig({}).tokenSeals).toBeNull();
    const c = loadConfig({ PKCS11_MODULE: MODULE, SEAL_PKCS11: seals({ '000.03.25.H51': { token: 'Con dau', key: 'seal', id: '0a1B', pinEnv: 'SEAL_PIN_H51' } }), SEAL_PIN_H51: '123456' });
    expect(c.tokenSeals).toEqual({ module: MODULE, seals: { '000.03.25.H51': { token: 'Con dau', key: 'seal', id: '0a1B', pin: '123456', pinEnv: 'SEAL_PIN_H51', certificates: null } } });
  });

  it('refuses to start on a half or wrong configuration, naming what is wrong (never the PIN)', () => {
    const ok = { token: 't', key: 'k', pinEnv: 'P' };
    const refusal = (env: Record<string, string>) => { try { loadConfig(env); return null; } catch (e) { return (e as Error).message; } };
    expect(refusal({ PKCS11_MODULE: MODULE })).toMatch(/PKCS11_MODULE is set but SEAL_PKCS11/);
    expect(refusal({ SEAL_PKCS11: seals({ A: ok }), P: '1' })).toMatch(/needs PKCS11_MODULE/);
    expect(refusal({ PKCS11_MODULE: 'libsofthsm2.so', SEAL_PKCS11: seals({ A: ok }), P: '1' })).toMatch(/absolute path/);
    expect(refusal({ PKCS11_MODULE: MODULE, SEAL_PKCS11: '{token=t' })).toMatch(/is not JSON/);
    expect(refusal({ PKCS11_MODULE: MODULE, SEAL_PKCS11: seals({ A: { ...ok, pin: '1234' } }), P: '1' })).toMatch(/for A has unknown settings pin/);
    expect(refusal({ PKCS11_MODULE: MODULE, SEAL_PKCS11: seals({ A: { token: 't', pinEnv: 'P' } }), P: '1' })).toMatch(/for A needs "key"/);
    // The web server reads the same settings without the PIN; the worker refuses to start without it (pkcs11.test.ts).
    expect(loadConfig({ PKCS11_MODULE: MODULE, SEAL_PKCS11: seals({ A: ok }) }).tokenSeals?.seals.A.pin).toBeNull();
    expect(refusal({ PKCS11_MODULE: MODULE, SEAL_PKCS11: seals({ A: { ...ok, id: 'xyz' } }), P: '1' })).toMatch(/"id" must be hex/);
    expect(refusal({ PKCS11_MODULE: MODULE, SEAL_PKCS11: seals({ A: ok }), P: 's3cret-pin' })).toBeNull();
  });
});

describe('the trust anchors and the online revocation look-up of the verification', () => {
  it('TRUST_ANCHORS: none in demo (the test CA is trusted anyway), required in production, a folder', () => {
    expect(loadConfig({}).trustAnchorsDir).toBeNull();
    expect(loadConfig({ TRUST_ANCHORS: ANCHORS }).trustAnchorsDir).toBe(ANCHORS);
    const { TRUST_ANCHORS: _, ...withoutAnchors } = PRODUCTION_ENV;
    expect(() => loadConfig({ APP_MODE: 'production', ...withoutAnchors })).toThrow(/TRUST_ANCHORS must name the folder/);
    const file = join(ANCHORS, 'not-a-folder.txt');
    writeFileSync(file, 'x');
    expect(() => loadConfig({ TRUST_ANCHORS: file })).toThrow(/TRUST_ANCHORS=.* is not a folder/);
    expect(() => loadConfig({ TRUST_ANCHORS: join(ANCHORS, 'missing') })).toThrow(/is not a folder/);
  });

  it('VERIFY_REVOCATION_ONLINE: off by default, on or off, anything else refused', () => {
    expect(loadConfig({}).verifyRevocationOnline).toBe(false);
    expect(loadConfig({ VERIFY_REVOCATION_ONLINE: 'on' }).verifyRevocationOnline).toBe(true);
    expect(() => loadConfig({ VERIFY_REVOCATION_ONLINE: 'yes' })).toThrow(/VERIFY_REVOCATION_ONLINE="yes"; use on or off/);
  });
});

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

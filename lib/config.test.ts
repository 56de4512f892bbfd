// The mode decides whether demo accounts are seeded: a mode we do not know must stop the start, never mean demo.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

/** What a production deployment sets, so that only the mode is under test. */
const PRODUCTION_ENV = {
  SESSION_SECRET: 'x'.repeat(40),
  DATABASE_URL: 'postgres://chungthuc:s3cret-long-password@db.example.gov.vn:5432/chungthuc',
  SMTP_URL: 'smtps://user:pass@mail.example.gov.vn',
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

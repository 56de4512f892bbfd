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

describe('the trust services', () => {
  it('are on loopback in demo mode, the TSA below them; TRUST_SERVICES_URL and TSA_URL move them', () => {
    expect(loadConfig({})).toMatchObject({ trustServicesUrl: 'http://127.0.0.1:3090', tsaUrl: 'http://127.0.0.1:3090/tsa' });
    expect(loadConfig({ TRUST_SERVICES_URL: 'http://127.0.0.1:4000/' })).toMatchObject({ trustServicesUrl: 'http://127.0.0.1:4000', tsaUrl: 'http://127.0.0.1:4000/tsa' });
    expect(loadConfig({ TSA_URL: 'https://tsa.example.vn/tsa' }).tsaUrl).toBe('https://tsa.example.vn/tsa');
  });

  it('have no default in production', () => {
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV })).toMatchObject({ trustServicesUrl: null, tsaUrl: null });
    expect(loadConfig({ APP_MODE: 'production', ...PRODUCTION_ENV, TSA_URL: 'https://tsa.example.vn' }).tsaUrl).toBe('https://tsa.example.vn');
  });
});

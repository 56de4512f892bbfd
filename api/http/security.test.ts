// Security headers (api/security.ts): a strict Content-Security-Policy on every answer, `Cache-Control: no-store`
// on pages, fragments and JSON (they carry personal data), /static still cacheable; and views/ written so that the
// strict policy holds (no inline script, event handler or style attribute). The browser tests (lib/testing/
// browser.ts) also fail on any CSP violation Chromium reports.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, loginCitizen, loginStaff } from '../../lib/testing/http.js';

let h: Harness;
beforeAll(async () => { h = await createHarness(); }, 120_000);
afterAll(async () => { await h?.close(); });

const { call } = apiClient(() => h.baseUrl);
const VIEWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

function directives(csp: string | null): Map<string, string[]> {
  expect(csp, 'a Content-Security-Policy header').toBeTruthy();
  return new Map(csp!.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name, values] as [string, string[]];
  }));
}

function expectStrictCsp(headers: Headers) {
  const d = directives(headers.get('content-security-policy'));
  expect(d.get('default-src')).toEqual(["'self'"]);
  expect(d.get('script-src')).toEqual(["'self'"]);
  expect(d.get('script-src-attr')).toEqual(["'none'"]);
  expect(d.get('style-src')).toEqual(["'self'"]);
  expect(d.get('frame-ancestors')).toEqual(["'self'"]);
  expect(d.get('form-action')).toEqual(["'self'"]);
  expect(d.get('base-uri')).toEqual(["'self'"]);
  expect(d.get('object-src')).toEqual(["'self'"]); // the PDF preview; nothing from elsewhere
  for (const [name, values] of d) expect(values, name).not.toContain("'unsafe-inline'");
  for (const [name, values] of d) expect(values, name).not.toContain("'unsafe-eval'");
}

describe('security headers', () => {
  it('every page, fragment and JSON answer has a strict CSP and Cache-Control: no-store', async () => {
    const staff = await loginStaff(h.baseUrl, 'canbo');
    const citizen = await loginCitizen(h.baseUrl, 'congdan');
    const answers: [string, { status: number; headers: Headers }][] = [
      ['login page', await staff.get('/dang-nhap')],
      ['staff list', await staff.get('/ho-so/theo-doi')],
      ['htmx fragment', await staff.get('/ban-sao/tim-tai-khoan?idNumber=151804051')],
      ['portal page', await citizen.get('/cong-dan/lich-hen')],
      ['public page', await staff.get('/xac-thuc')],
      ['not found', await staff.get('/khong-co-trang-nay')],
      ['JSON', await call('canbo', 'GET', '/dossiers')],
      ['JSON refusal', await call(null, 'GET', '/dossiers')],
    ];
    for (const [what, r] of answers) {
      expect(r.status, what).toBeLessThan(500);
      expectStrictCsp(r.headers);
      expect(r.headers.get('cache-control'), what).toBe('no-store');
      expect(r.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(r.headers.get('x-frame-options'), what).toBe('SAMEORIGIN');
      expect(r.headers.get('referrer-policy'), what).toBe('same-origin');
    }
  });

  it('static files stay cacheable', async () => {
    for (const p of ['/static/app.css', '/static/app.js', '/static/htmx.min.js']) {
      const r = await fetch(`${h.baseUrl}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('cache-control') ?? '', p).not.toContain('no-store');
    }
  });

  it('the previews\' geometry is a stylesheet of this site', async () => {
    const r = await fetch(`${h.baseUrl}/hinh-anh/xem-truoc.css`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await r.text()).toMatch(/\.seal-preview \{ width: [\d.]+px; height: [\d.]+px;/);
  });
});

describe('the views hold to the strict CSP', () => {
  const files = [
    ...fs.readdirSync(VIEWS).filter((f) => f.endsWith('.njk')).map((f) => path.join(VIEWS, f)),
  ];

  it('no inline <script>, <style>, event handler, style attribute or javascript: URL in any template', () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const name = path.basename(file);
      for (const m of text.matchAll(/<script\b[^>]*>/gi)) expect(m[0], name).toMatch(/\bsrc=/);
      expect(text, name).not.toMatch(/<style\b/i);
      expect(text, name).not.toMatch(/\son[a-z]+\s*=/i);
      expect(text, name).not.toMatch(/\sstyle\s*=/i);
      expect(text, name).not.toMatch(/javascript:/i);
      expect(text, name).not.toMatch(/\shx-on/i);
    }
  });

  it('htmx is told not to inject its indicator <style>, and its indicator classes are in app.css', () => {
    for (const layout of ['layout.njk', 'portal-layout.njk']) {
      const meta = /<meta name="htmx-config" content='([^']+)'>/.exec(fs.readFileSync(path.join(VIEWS, layout), 'utf8'));
      expect(meta, layout).not.toBeNull();
      expect(JSON.parse(meta![1]).includeIndicatorStyles, layout).toBe(false);
    }
    expect(fs.readFileSync(path.join(VIEWS, 'static/app.css'), 'utf8')).toContain('.htmx-request .htmx-indicator');
  });
});

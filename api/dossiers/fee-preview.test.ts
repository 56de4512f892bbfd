// The fee shown to the creator before submitting: computed from the scan's pages and the copies, nothing kept.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { csrfOf, loginStaff, multipart, type WebClient } from '../../lib/testing/http.js';

let h: Harness;
let canbo: WebClient;
let csrf = '';

beforeAll(async () => {
  h = await createHarness();
  canbo = await loginStaff(h.baseUrl, 'canbo');
  csrf = csrfOf((await canbo.get('/ban-sao/them-moi')).html);
});
afterAll(async () => { await h?.close(); });

async function preview(file: Buffer, copies: string, withCsrf = true) {
  const form = multipart(withCsrf ? { _csrf: csrf, copies } : { copies }, 'scan', file, 'scan.pdf', 'application/pdf');
  const res = await canbo.post('/ban-sao/tinh-phi', form, { 'HX-Request': 'true' });
  return { status: res.status, text: res.html };
}

const tmpFiles = () => fs.readdirSync(path.join(h.config.dataDir, 'files', 'tmp'));

it('shows pages × copies and the fee of TT 226/2016, and keeps nothing', async () => {
  const r = await preview(await makePdf(3), '2');
  expect(r.status).toBe(200);
  expect(r.text).toContain('Bản chính 3 trang × 2 bản sao');
  expect(r.text).toContain('10.000 đồng');
  expect(r.text).toContain('5.000 đồng/bản');
  expect(tmpFiles()).toEqual([]);
  expect(await h.db.selectFrom('dossiers').select('code').execute()).toEqual([]);
});

it('explains a refused scan or copies in Vietnamese', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const r = await preview(png, '1');
  expect(r.status).toBe(400);
  expect(r.text).toContain('không phải là tệp PDF');
  const c = await preview(await makePdf(1), 'ba');
  expect(c.status).toBe(400);
  expect(c.text).toContain('Số bản sao phải là số nguyên từ 1 đến 100');
  expect(tmpFiles()).toEqual([]);
});

it('needs the CSRF token', async () => {
  const r = await preview(await makePdf(1), '1', false);
  expect(r.status).toBe(403);
});

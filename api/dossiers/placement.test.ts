// Placing the leader's signature and choosing the certificate that signs, against the real stack (web app, worker on
// the Temporal dev server, PostgreSQL): the signature box lands where the leader put it (the page rendered by
// poppler's pdftoppm, pixels read), signatures stay valid (pdfsig), the place becomes the leader's default and is
// kept in the dossier; a place off the page or on another page is refused and changes nothing; a chosen
// certificate of the leader's signs (pdfsig names it), anyone else's is refused. The screen offers presets without
// JavaScript and serves the attestation page's preview.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../activities/pdf/fixtures.js';
import { DEFAULT_PLACEMENT, PLACEMENT_PRESETS, SIGNATURE_BOX } from '../../domain/placement.js';
import { vnYear } from '../../domain/vn-time.js';
import { DEMO_AGENCY } from '../../lib/seed.js';
import { patch, pdfsig, renderPage } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';
import { OPENSSL_O, opensslP12 } from '../../lib/testing/openssl-p12.js';

let h: Harness;
let tmp: string;
const { call } = apiClient(() => h.baseUrl);
const YEAR = vnYear(new Date());

// An orange ellipse as the leader's signature image: a rendered orange pixel tells where the box was drawn.
const ORANGE: [number, number, number] = [240, 120, 0];
const orangeSignature = () => makePng(300, 120, (x, y) => (((x - 150) / 145) ** 2 + ((y - 60) / 55) ** 2 < 1 ? [...ORANGE, 255] : [0, 0, 0, 0]));
/** The centre of the signature image in a box whose lower-left corner is `p` (sign.ts: the image in (2, 26)–(w-2, h-2)). */
const imageCentre = (p: { x: number; y: number }) => ({ x: p.x + SIGNATURE_BOX.width / 2, y: p.y + 26 + (SIGNATURE_BOX.height - 28) / 2 });

async function newDossier(pages = 1): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(pages), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.code as string;
}
const at = (code: string, what = '') => `/dossiers/${encodeURIComponent(code)}${what}`;

async function sealAndFetch(code: string): Promise<string> {
  const books = await call('vanthu', 'GET', '/register-books');
  const book = books.body.find((b: { name: string }) => b.name === `01/${YEAR}/ĐT`);
  const sealed = await call('vanthu', 'POST', at(code, '/seal'), { json: { registerBookId: book.id } });
  expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
  const pdf = await call('canbo', 'GET', at(code, '/pdf'));
  expect(pdf.status).toBe(200);
  const file = path.join(tmp, `${code}.pdf`);
  fs.writeFileSync(file, pdf.bytes);
  return file;
}

const savedPlacement = () => h.db.selectFrom('signature_placements').select(['x', 'y']).where('username', '=', 'lanhdao').executeTakeFirst();

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-placement-'));
  h = await createHarness();
  const up = await call('lanhdao', 'POST', '/images/signature', { form: multipart({}, 'image', orangeSignature(), 'chu-ky.png', 'image/png') });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
});
afterAll(async () => {
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('placing the signature (POST /dossiers/{code}/sign {placement})', () => {
  it('draws the box where the leader put it, keeps both signatures valid, and the place becomes the leader\'s default', async () => {
    const code = await newDossier(2);
    const place = { x: 60, y: 80 };
    const signed = await call('lanhdao', 'POST', at(code, '/sign'), { json: { placement: { page: 3, ...place } } });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.status).toBe('awaiting_seal');
    expect(signed.body.signedBy.placement).toEqual(place);
    expect(await savedPlacement()).toEqual(place);

    const file = await sealAndFetch(code);
    const sig = pdfsig(file);
    expect(sig.count, sig.out).toBe(2);
    expect(sig.valid, sig.out).toBe(2);
    const px = renderPage(file, 3, tmp);
    const there = imageCentre(place);
    const usual = imageCentre(DEFAULT_PLACEMENT);
    expect(patch(px, there.x, there.y, ORANGE)).toBeGreaterThan(70);
    expect(patch(px, usual.x, usual.y, ORANGE)).toBe(0);

    // The next dossier, signed without a placement, gets the leader's last one.
    const next = await newDossier(1);
    const again = await call('lanhdao', 'POST', at(next, '/sign'));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.signedBy.placement).toEqual(place);
    const nextFile = await sealAndFetch(next);
    const px2 = renderPage(nextFile, 2, tmp);
    expect(patch(px2, there.x, there.y, ORANGE)).toBeGreaterThan(70);
  });

  it('refuses a place off the page, on another page or malformed, and nothing changes', async () => {
    const code = await newDossier(1);
    const before = await call('lanhdao', 'GET', at(code));
    const saved = await savedPlacement();
    for (const placement of [
      { page: 2, x: 595.28 - SIGNATURE_BOX.width + 1, y: 300 },
      { page: 2, x: 100, y: 10 },
      { x: -1, y: 300 },
      { x: 100, y: 841.89 - SIGNATURE_BOX.height + 0.5 },
      { page: 1, x: 100, y: 300 },
      { x: 'trái', y: 300 },
      { x: 100 },
      'góc trên',
    ]) {
      const r = await call('lanhdao', 'POST', at(code, '/sign'), { json: { placement } });
      expectRefusal(r, 400, 'validation');
      expect(r.body.field, JSON.stringify(placement)).toBe('placement');
    }
    const after = await call('lanhdao', 'GET', at(code));
    expect(after.body.status).toBe('awaiting_signature');
    expect(after.body.history).toEqual(before.body.history);
    expect(await savedPlacement()).toEqual(saved);
  });

  it('the screen: presets without JavaScript, the attestation page\'s preview for the leader only', async () => {
    const code = await newDossier(1);
    const leader = await loginStaff(h.baseUrl, 'lanhdao');
    const page = await leader.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    for (const [key, p] of Object.entries(PLACEMENT_PRESETS)) expect(page.html).toContain(`value="${key}" data-x="${p.at.x}" data-y="${p.at.y}"`);
    expect(page.html).toContain('trang 2 của bản sao điện tử');

    const png = await leader.get(`/ho-so/${encodeURIComponent(code)}/trang-loi-chung.png`);
    expect(png.status).toBe(200);
    expect(png.type).toBe('image/png');
    // The A4 page at 1.5 px per point.
    expect([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)]).toEqual([Math.round(595.28 * 1.5), Math.round(841.89 * 1.5)]);
    const creator = await loginStaff(h.baseUrl, 'canbo');
    expect((await creator.get(`/ho-so/${encodeURIComponent(code)}/trang-loi-chung.png`)).status).toBe(403);

    // A place off the page from the form: the page again with the refusal, nothing signed.
    const bad = await leader.post(`/ho-so/${encodeURIComponent(code)}/ky-so`, { _csrf: csrfOf(page.html), _key: 'k-bad', placement: 'custom', placementX: '9999', placementY: '100' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Vị trí chữ ký phải nằm trong trang');
    expect((await call('lanhdao', 'GET', at(code))).body.status).toBe('awaiting_signature');

    // A preset, as a browser without JavaScript sends it.
    const ok = await leader.post(`/ho-so/${encodeURIComponent(code)}/ky-so`, { _csrf: csrfOf(page.html), _key: 'k-ok', placement: 'left_bottom', placementX: '1', placementY: '1' });
    expect(ok.status, ok.html.slice(0, 300)).toBe(303);
    const v = await call('lanhdao', 'GET', at(code));
    expect(v.body.signedBy.placement).toEqual(PLACEMENT_PRESETS.left_bottom.at);
    expect(await savedPlacement()).toEqual(PLACEMENT_PRESETS.left_bottom.at);
  });
});

describe('choosing the certificate that signs (POST /dossiers/{code}/sign {certificate})', () => {
  it('one of the leader\'s own certificates signs (pdfsig names it); another\'s or an unknown one is refused and nothing changes', async () => {
    const older = await opensslP12(h, tmp, { cn: 'Lâm Phước Thọ', passphrase: 'cũ', org: `${OPENSSL_O} cũ` });
    const newer = await opensslP12(h, tmp, { cn: 'Lâm Phước Thọ', passphrase: 'mới', org: `${OPENSSL_O} mới` });
    const seal = await opensslP12(h, tmp, { cn: DEMO_AGENCY.name, passphrase: 'dấu' });
    for (const [who, p12, pass, purpose] of [['lanhdao', older, 'cũ', 'personal'], ['lanhdao', newer, 'mới', 'personal'], ['vanthu', seal, 'dấu', 'seal']] as const) {
      const up = await call(who, 'POST', '/certificates', { form: multipart({ purpose, passphrase: pass }, 'file', p12.p12, 'k.p12', 'application/x-pkcs12') });
      expect(up.status, JSON.stringify(up.body)).toBe(201);
    }
    const list = await call('lanhdao', 'GET', '/certificates');
    expect(list.body.personal.find((c: { fingerprint: string }) => c.fingerprint === newer.fingerprint).status).toBe('in_use');

    const code = await newDossier(1);
    for (const certificate of [seal.fingerprint, 'ab'.repeat(32), 'not a fingerprint']) {
      const r = await call('lanhdao', 'POST', at(code, '/sign'), { json: { certificate } });
      expectRefusal(r, 400, 'validation');
      expect(r.body.field).toBe('certificate');
    }
    expect((await call('lanhdao', 'GET', at(code))).body.status).toBe('awaiting_signature');

    // The older one, not in use, chosen for this signature; given as the screen shows it (upper case, colons).
    const shown = older.fingerprint.toUpperCase().match(/../g)!.join(':');
    const signed = await call('lanhdao', 'POST', at(code, '/sign'), { json: { certificate: shown } });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.signedPdf.certificate.fingerprint).toBe(older.fingerprint);
    const file = await sealAndFetch(code);
    const sig = pdfsig(file);
    expect(sig.valid, sig.out).toBe(2);
    expect(sig.out).toContain(`O=${OPENSSL_O} cũ`);
    expect(sig.out).not.toContain(`O=${OPENSSL_O} mới`);
    const entry = await h.db.selectFrom('register_entries').select('signer_certificate').where('dossier_code', '=', code).executeTakeFirstOrThrow();
    expect(entry.signer_certificate).toBe(older.fingerprint);
  });
});

// Seal and signature images against the real stack (web app, worker on the Temporal dev server, PostgreSQL):
// the JSON API and the screens upload and refuse (nothing changes on refusal, a 50 MB upload is refused while
// streaming), and an e-copy signed and sealed after the uploads carries those very images — checked with
// poppler (pdfimages, pdftoppm) — while pdfsig still finds both signatures valid.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../activities/pdf/fixtures.js';
import { LEADER_RECT, SEAL_RECT } from '../../activities/pdf/layout.js';
import { filesUnder, near, patch, pdfsig, poppler, renderPage as render } from '../../lib/testing/files.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, csrfOf, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';
import { eventually } from '../../lib/testing/time.js';
import { vnYear } from '../../domain/vn-time.js';

let h: Harness;
let tmp: string;
const OTHER_AGENCY = '000.00.88.X02';
const YEAR = vnYear(new Date());
const sha256 = (b: Buffer | Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

// Distinctive colours, so a rendered pixel tells which image was drawn (the default seal is red, the default
// signature box is blue lines on white).
const SEAL_GREEN: [number, number, number] = [20, 160, 60];
const SIGN_ORANGE: [number, number, number] = [240, 120, 0];
/** A green disk on transparent background, 200×200. */
const greenSeal = () => makePng(200, 200, (x, y) => (Math.hypot(x - 100, y - 100) < 90 ? [...SEAL_GREEN, 255] : [0, 0, 0, 0]));
/** An orange ellipse on transparent background, 300×120. */
const orangeSignature = () => makePng(300, 120, (x, y) => (((x - 150) / 145) ** 2 + ((y - 60) / 55) ** 2 < 1 ? [...SIGN_ORANGE, 255] : [0, 0, 0, 0]));

// ---------- HTTP helpers (lib/testing/http.ts) ----------

const { call, tokenFor } = apiClient(() => h.baseUrl);

const imageForm = (image: Buffer | null, fileName = 'anh.png', fields: Record<string, string> = {}, type = 'image/png') =>
  multipart(fields, 'image', image, fileName, type);

// ---------- "nothing changed" ----------

const filesDir = () => path.join(h.config.dataDir, 'files');
const tmpDir = () => path.join(filesDir(), 'tmp');
async function snapshot() {
  const rows = await h.db.selectFrom('images').selectAll().orderBy('kind').orderBy('owner').execute();
  return {
    images: JSON.stringify(rows),
    stored: filesUnder(filesDir()).filter((f) => !f.path.startsWith(tmpDir())).map((f) => f.path).sort(),
  };
}
async function expectUnchanged(before: Awaited<ReturnType<typeof snapshot>>) {
  expect(await snapshot()).toEqual(before);
  await eventually(() => filesUnder(tmpDir()), (f) => f.length === 0, 'no upload left in the temp folder', 5000);
}

// ---------- PDF inspection with poppler ----------

/** Image XObjects of a page as pdfimages lists them: [type, width, height]. */
function imagesOnPage(file: string, page: number): { type: string; width: number; height: number }[] {
  return poppler('pdfimages', ['-list', '-f', String(page), '-l', String(page), file]).split('\n').slice(2).filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/)).map((c) => ({ type: c[2], width: Number(c[3]), height: Number(c[4]) }));
}
// Where the images land on the attestation page (activities/pdf/sign.ts and seal.ts draw them centred in these boxes).
const SEAL_CENTRE = { x: (SEAL_RECT[0] + SEAL_RECT[2]) / 2, y: SEAL_RECT[1] + Math.min(SEAL_RECT[2] - SEAL_RECT[0], SEAL_RECT[3] - SEAL_RECT[1] - 54) / 2 + 2 };
const SIGN_CENTRE = { x: (LEADER_RECT[0] + LEADER_RECT[2]) / 2, y: LEADER_RECT[1] + 26 + (LEADER_RECT[3] - LEADER_RECT[1] - 28) / 2 };

async function certify(pages = 1): Promise<{ code: string; file: string; lastPage: number }> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(pages), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const code = created.body.code as string;
  const signed = await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(code)}/sign`);
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  const books = await call('vanthu', 'GET', '/register-books');
  const book = books.body.find((b: { name: string }) => b.name === `01/${YEAR}/ĐT`);
  const sealed = await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(code)}/seal`, { json: { registerBookId: book.id } });
  expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
  expect(sealed.body.status).toBe('completed');
  const pdf = await call('canbo', 'GET', `/dossiers/${encodeURIComponent(code)}/pdf`);
  expect(pdf.status).toBe(200);
  const file = path.join(tmp, `${code}.pdf`);
  fs.writeFileSync(file, pdf.bytes);
  return { code, file, lastPage: pages + 1 };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctdt-images-'));
  h = await createHarness();
  await h.addAgency(OTHER_AGENCY, [{ username: 'vanthu2', roles: ['sealer'] }, { username: 'lanhdao2', roles: ['signer'] }]);
});
afterAll(async () => {
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// =====================================================================================================

describe('the uploaded images are drawn in the e-copy', () => {
  it('before any upload the default appearance is drawn; after uploading, signing and sealing draw the images, and both signatures stay valid', async () => {
    // Control: no image uploaded yet.
    const before = await certify(1);
    expect(imagesOnPage(before.file, before.lastPage)).toEqual([]);
    let px = render(before.file, before.lastPage, tmp);
    expect(patch(px, SEAL_CENTRE.x, SEAL_CENTRE.y, SEAL_GREEN)).toBe(0);
    expect(patch(px, SIGN_CENTRE.x, SIGN_CENTRE.y, SIGN_ORANGE)).toBe(0);

    const seal = greenSeal();
    const signature = orangeSignature();
    const up1 = await call('vanthu', 'POST', '/images/seal', { form: imageForm(seal, 'con-dau.png') });
    expect(up1.status, JSON.stringify(up1.body)).toBe(200);
    expect(up1.body).toMatchObject({ kind: 'seal', owner: h.agencyCode, sha256: sha256(seal), size: seal.length, width: 200, height: 200, uploadedBy: 'vanthu' });
    const up2 = await call('lanhdao', 'POST', '/images/signature', { form: imageForm(signature, 'chu-ky.png') });
    expect(up2.status, JSON.stringify(up2.body)).toBe(200);
    expect(up2.body).toMatchObject({ kind: 'signature', owner: 'lanhdao', width: 300, height: 120, uploadedBy: 'lanhdao' });

    const after = await certify(2);
    const sig = pdfsig(after.file);
    expect(sig.count, sig.out).toBe(2);
    expect(sig.valid, sig.out).toBe(2);
    expect(sig.documentTimestamps, sig.out).toBe(h.config.signature.level === 'B-LTA' ? 1 : 0);
    expect(sig.out).not.toMatch(/Digest Mismatch|Signature is Invalid/);

    // The page carries both images at their own size (each with its alpha mask).
    const imgs = imagesOnPage(after.file, after.lastPage);
    expect(imgs).toContainEqual({ type: 'image', width: 200, height: 200 });
    expect(imgs).toContainEqual({ type: 'smask', width: 200, height: 200 });
    expect(imgs).toContainEqual({ type: 'image', width: 300, height: 120 });
    expect(imgs).toContainEqual({ type: 'smask', width: 300, height: 120 });

    // And rendered, the seal's box is green and the signature's box orange, where the defaults are not.
    px = render(after.file, after.lastPage, tmp);
    expect(patch(px, SEAL_CENTRE.x, SEAL_CENTRE.y, SEAL_GREEN)).toBeGreaterThan(70);
    expect(patch(px, SIGN_CENTRE.x, SIGN_CENTRE.y, SIGN_ORANGE)).toBeGreaterThan(70);
    // The green disk (radius 90 of 200 px) is drawn 120 pt wide: inside at 50 pt from the centre, outside at 60 pt.
    expect(near(px(SEAL_CENTRE.x + 50, SEAL_CENTRE.y), SEAL_GREEN)).toBe(true);
    expect(near(px(SEAL_CENTRE.x + 58, SEAL_CENTRE.y), SEAL_GREEN)).toBe(false);
  });
});

// =====================================================================================================

describe('JSON API /api/v1/images', () => {
  it('GET returns the current PNG byte for byte; 404 JSON when there is none', async () => {
    const seal = await call('vanthu', 'GET', '/images/seal');
    expect(seal.status).toBe(200);
    expect(seal.headers.get('content-type')).toBe('image/png');
    expect(sha256(seal.bytes)).toBe(sha256(greenSeal()));
    // Any staff of the agency can fetch its seal; a signer their own signature.
    expect(sha256((await call('canbo', 'GET', '/images/seal')).bytes)).toBe(sha256(greenSeal()));
    expect(sha256((await call('lanhdao', 'GET', '/images/signature')).bytes)).toBe(sha256(orangeSignature()));
    expectRefusal(await call('vanthu', 'GET', '/images/signature'), 404, 'not_found', /chữ ký/);
    expectRefusal(await call('vanthu2', 'GET', '/images/seal'), 404, 'not_found', /con dấu/);
    expectRefusal(await call(null, 'GET', '/images/seal'), 401, 'unauthenticated');
  });

  it('replacing an image keeps one row per owner and serves the new one', async () => {
    const second = makePng(120, 120, (x, y) => (Math.hypot(x - 60, y - 60) < 55 ? [...SEAL_GREEN, 255] : [0, 0, 0, 0]));
    const r = await call('vanthu', 'POST', '/images/seal', { form: imageForm(second) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ width: 120, height: 120, sha256: sha256(second) });
    expect(await h.db.selectFrom('images').select(['owner', 'sha256']).where('kind', '=', 'seal').execute()).toEqual([{ owner: h.agencyCode, sha256: sha256(second) }]);
    // The other agency's sealer sets the seal of their own agency, never ours.
    const other = await call('vanthu2', 'POST', '/images/seal', { form: imageForm(greenSeal()) });
    expect(other.status).toBe(200);
    expect(other.body.owner).toBe(OTHER_AGENCY);
    expect(sha256((await call('vanthu', 'GET', '/images/seal')).bytes)).toBe(sha256(second));
    // back to the first one for the rest of the file
    expect((await call('vanthu', 'POST', '/images/seal', { form: imageForm(greenSeal()) })).status).toBe(200);
  });

  describe('refuses with a clear Vietnamese 4xx and changes nothing', () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01'), crypto.randomBytes(3000)]);
    const svg = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle cx="100" cy="100" r="90" fill="red"/></svg>');
    const cases: { name: string; user: string; route: string; form: () => FormData; status: number; error: string; says: RegExp }[] = [
      { name: 'a seal upload by the leader (signer, not sealer)', user: 'lanhdao', route: '/images/seal', form: () => imageForm(greenSeal()), status: 403, error: 'forbidden', says: /Quyền đóng dấu/ },
      { name: 'a seal upload by the clerk (creator)', user: 'canbo', route: '/images/seal', form: () => imageForm(greenSeal()), status: 403, error: 'forbidden', says: /Quyền đóng dấu/ },
      { name: 'a signature upload by the seal keeper (not a signer)', user: 'vanthu', route: '/images/signature', form: () => imageForm(orangeSignature()), status: 403, error: 'forbidden', says: /Quyền ký/ },
      { name: "another user's signature (username field)", user: 'lanhdao', route: '/images/signature', form: () => imageForm(greenSeal(), 'x.png', { username: 'lanhdao2' }), status: 403, error: 'forbidden', says: /người dùng khác/ },
      { name: "another user's signature (username query)", user: 'lanhdao2', route: '/images/signature?username=lanhdao', form: () => imageForm(greenSeal()), status: 403, error: 'forbidden', says: /người dùng khác/ },
      { name: 'a JPEG renamed .png', user: 'vanthu', route: '/images/seal', form: () => imageForm(jpeg, 'con-dau.png'), status: 400, error: 'bad_file', says: /JPEG/ },
      { name: 'an SVG renamed .png', user: 'lanhdao', route: '/images/signature', form: () => imageForm(svg, 'chu-ky.png'), status: 400, error: 'bad_file', says: /SVG/ },
      { name: 'a truncated PNG', user: 'vanthu', route: '/images/seal', form: () => imageForm(greenSeal().subarray(0, 400)), status: 400, error: 'bad_file', says: /cắt cụt|không đầy đủ/ },
      { name: 'a PNG with a wrong IHDR CRC', user: 'vanthu', route: '/images/seal', form: () => { const p = Buffer.from(greenSeal()); p[29] ^= 0xff; return imageForm(p); }, status: 400, error: 'bad_file', says: /CRC/ },
      { name: 'a 20×20 PNG', user: 'lanhdao', route: '/images/signature', form: () => imageForm(makePng(20, 20, () => [0, 0, 0, 255])), status: 400, error: 'bad_file', says: /20×20/ },
      { name: 'a 2500×60 PNG', user: 'vanthu', route: '/images/seal', form: () => imageForm(makePng(2500, 60, () => [0, 0, 0, 255])), status: 400, error: 'bad_file', says: /2500×60/ },
      { name: 'a 3 MB PNG', user: 'vanthu', route: '/images/seal', form: () => imageForm(Buffer.concat([greenSeal(), crypto.randomBytes(3 * 1024 * 1024)])), status: 413, error: 'too_large', says: /2 MB/ },
      { name: 'no file', user: 'vanthu', route: '/images/seal', form: () => imageForm(null, '', { note: 'không có tệp' }), status: 400, error: 'validation', says: /chọn tệp/ },
      { name: 'the file under another field name', user: 'vanthu', route: '/images/seal', form: () => { const f = new FormData(); f.append('scan', new Blob([new Uint8Array(greenSeal())]), 'a.png'); return f; }, status: 400, error: 'validation', says: /chọn tệp/ },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        const before = await snapshot();
        expectRefusal(await call(c.user, 'POST', c.route, { form: c.form() }), c.status, c.error, c.says);
        await expectUnchanged(before);
      });
    }

    it('refuses a JSON body', async () => {
      const before = await snapshot();
      expectRefusal(await call('vanthu', 'POST', '/images/seal', { json: { image: 'iVBORw0KGgo=' } }), 400, 'validation', /multipart/);
      await expectUnchanged(before);
    });

    it('refuses a 50 MB upload with 413 while streaming: nothing over the 2 MB limit is ever written, nothing kept', async () => {
      const before = await snapshot();
      const boundary = `----ctdt${crypto.randomBytes(8).toString('hex')}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="con-dau.png"\r\nContent-Type: image/png\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const TOTAL = 50 * 1024 * 1024;
      const CHUNK = 256 * 1024;
      const first = Buffer.concat([greenSeal(), Buffer.alloc(CHUNK - greenSeal().length, 7)]); // starts like a PNG
      let sent = 0;
      let largestTmp = 0;
      let samples = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          // While the upload runs, watch what the server writes to its temporary folder.
          for (const f of filesUnder(tmpDir())) largestTmp = Math.max(largestTmp, f.size);
          samples++;
          if (sent === 0) { ctrl.enqueue(Buffer.concat([head, first])); sent += CHUNK; return; }
          if (sent >= TOTAL) { ctrl.enqueue(tail); ctrl.close(); return; }
          ctrl.enqueue(Buffer.alloc(CHUNK, 7));
          sent += CHUNK;
        },
      });
      const res = await fetch(`${h.baseUrl}/api/v1/images/seal`, {
        method: 'POST', body, duplex: 'half',
        headers: { authorization: `Bearer ${await tokenFor('vanthu')}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      } as RequestInit);
      const reply = await res.json() as { error: string; message: string; field?: string };
      expect(res.status).toBe(413);
      expect(reply).toMatchObject({ error: 'too_large', field: 'image' });
      expect(reply.message).toMatch(/2 MB/);
      expect(sent).toBe(TOTAL);
      expect(samples).toBeGreaterThan(100);
      expect(largestTmp, 'the temporary file never grew past the limit').toBeLessThanOrEqual(2 * 1024 * 1024);
      await expectUnchanged(before);
      expect(filesUnder(filesDir()).filter((f) => f.size > 2 * 1024 * 1024)).toEqual([]);
    });
  });
});

// =====================================================================================================

describe('screens', () => {
  it('"Quản lý con dấu" is in the seal keeper\'s menu; shows the agency, the preview, the upload form; saves a PNG', async () => {
    const vanthu = await loginStaff(h.baseUrl, 'vanthu');
    const page = await vanthu.get('/quan-ly-con-dau');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<a href="\/quan-ly-con-dau"[^>]*aria-current="page"[^>]*>Quản lý con dấu<\/a>/);
    expect(page.html).toContain('Trang chủ</a> / Quản lý con dấu');
    expect(page.html).toContain('Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng');
    expect(page.html).toMatch(/Cơ quan/);
    expect(page.html).toMatch(/Hình ảnh con dấu<span class="req">\*<\/span>/);
    expect(page.html).toContain('THOÁT');
    expect(page.html).toContain('LƯU LẠI');
    // multipart form whose first field is the CSRF token (the server reads it before the file)
    expect(page.html).toMatch(/<form[^>]*action="\/quan-ly-con-dau"[^>]*enctype="multipart\/form-data"[^>]*>\s*<input type="hidden" name="_csrf"/);
    const src = /<img id="seal-preview-img"[^>]*src="([^"]+)"/.exec(page.html)![1];
    const img = await vanthu.get(src.replace(/&amp;/g, '&'));
    expect(img.status).toBe(200);
    expect(img.type).toBe('image/png');
    expect(sha256(img.bytes)).toBe(sha256(greenSeal()));

    const next = makePng(160, 160, (x, y) => (Math.hypot(x - 80, y - 80) < 70 ? [...SEAL_GREEN, 255] : [0, 0, 0, 0]));
    const form = imageForm(next, 'con-dau-moi.png', { _csrf: csrfOf(page.html) });
    const saved = await vanthu.post('/quan-ly-con-dau', form);
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/quan-ly-con-dau');
    const again = await vanthu.get('/quan-ly-con-dau');
    expect(again.html).toContain('Đã lưu hình ảnh con dấu');
    expect(again.html).toContain('160×160');
    expect((await h.db.selectFrom('images').select('sha256').where('kind', '=', 'seal').where('owner', '=', h.agencyCode).executeTakeFirstOrThrow()).sha256).toBe(sha256(next));
  });

  it('the seal screen refuses without CSRF, a JPEG, a too large file, and other roles — in Vietnamese, changing nothing', async () => {
    const vanthu = await loginStaff(h.baseUrl, 'vanthu');
    const page = await vanthu.get('/quan-ly-con-dau');
    const csrf = csrfOf(page.html);
    const before = await snapshot();

    const noCsrf = await vanthu.post('/quan-ly-con-dau', imageForm(greenSeal()));
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.html).toContain('Phiên làm việc đã hết hạn');

    const jpeg = await vanthu.post('/quan-ly-con-dau', imageForm(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), 'con-dau.png', { _csrf: csrf }));
    expect(jpeg.status).toBe(400);
    expect(jpeg.html).toMatch(/data-testid="error">[^<]*JPEG[^<]*không phải ảnh PNG/);
    expect(jpeg.html).toContain('Quản lý con dấu:'); // the form is shown again

    const big = await vanthu.post('/quan-ly-con-dau', imageForm(Buffer.concat([greenSeal(), Buffer.alloc(3 * 1024 * 1024)]), 'to.png', { _csrf: csrf }));
    expect(big.status).toBe(413);
    expect(big.html).toContain('tối đa 2 MB');

    const none = await vanthu.post('/quan-ly-con-dau', imageForm(null, '', { _csrf: csrf }));
    expect(none.status).toBe(400);
    expect(none.html).toContain('Vui lòng chọn tệp hình ảnh con dấu');

    const lanhdao = await loginStaff(h.baseUrl, 'lanhdao');
    const forbidden = await lanhdao.get('/quan-ly-con-dau');
    expect(forbidden.status).toBe(403);
    expect(forbidden.html).toContain('Quyền đóng dấu');
    const lanhdaoCsrf = csrfOf((await lanhdao.get('/trang-ca-nhan')).html);
    expect((await lanhdao.post('/quan-ly-con-dau', imageForm(greenSeal(), 'a.png', { _csrf: lanhdaoCsrf }))).status).toBe(403);
    expect((await lanhdao.get('/')).location).not.toBe('/quan-ly-con-dau');

    // Another agency's staff cannot fetch our seal image by its URL.
    const vanthu2 = await loginStaff(h.baseUrl, 'vanthu2');
    const ours = await vanthu2.get(`/quan-ly-con-dau/con-dau/${encodeURIComponent(h.agencyCode)}`);
    expect(ours.status).toBe(403);
    expect(ours.type).not.toMatch(/image/);
    await expectUnchanged(before);
  });

  it('"Trang cá nhân" for every staff user; "Quản lý chữ ký cá nhân" for a signer, who saves their own signature only', async () => {
    const canbo = await loginStaff(h.baseUrl, 'canbo');
    const home = await canbo.get('/trang-ca-nhan');
    expect(home.status).toBe(200);
    expect(home.html).toMatch(/<a class="personal" href="\/trang-ca-nhan"/);
    expect(home.html).toContain('Thông tin cá nhân:');
    expect(home.html).toContain('Nguyễn Văn An');
    expect(home.html).toContain('Cán bộ tư pháp');
    expect(home.html).toContain('Thông tin đơn vị:');
    expect(home.html).toMatch(/<th>STT<\/th><th>Mã định danh<\/th><th>Tên đơn vị<\/th>/);
    expect(home.html).toContain('<td>1</td><td>000.03.25.H51</td><td>Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng</td>');
    expect(home.html).not.toContain('Quản lý chữ ký cá nhân');
    const canboCsrf = csrfOf(home.html);
    const notSigner = await canbo.post('/trang-ca-nhan/chu-ky', imageForm(orangeSignature(), 'a.png', { _csrf: canboCsrf }));
    expect(notSigner.status).toBe(403);
    expect(notSigner.html).toContain('Quyền ký bản sao');

    const lanhdao = await loginStaff(h.baseUrl, 'lanhdao');
    const page = await lanhdao.get('/trang-ca-nhan');
    expect(page.html).toContain('Trang chủ</a> / Quản lý chữ ký cá nhân');
    expect(page.html).toContain('Lâm Phước Thọ');
    expect(page.html).toContain('Quản lý chữ ký cá nhân:');
    expect(page.html).toMatch(/Hình ảnh chữ ký <span class="req">\*<\/span>/);
    expect(page.html).toMatch(/<form[^>]*action="\/trang-ca-nhan\/chu-ky"[^>]*enctype="multipart\/form-data"[^>]*>\s*<input type="hidden" name="_csrf"/);
    const src = /<img id="signature-preview-img"[^>]*src="([^"]+)"/.exec(page.html)![1];
    expect(sha256((await lanhdao.get(src.replace(/&amp;/g, '&'))).bytes)).toBe(sha256(orangeSignature()));
    // Someone else's signature image cannot be fetched, nor set.
    expect((await lanhdao.get('/trang-ca-nhan/chu-ky/lanhdao2')).status).toBe(403);
    const csrf = csrfOf(page.html);
    const before = await snapshot();
    const forged = await lanhdao.post('/trang-ca-nhan/chu-ky', imageForm(greenSeal(), 'a.png', { _csrf: csrf, username: 'lanhdao2' }));
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('người dùng khác');
    const svg = await lanhdao.post('/trang-ca-nhan/chu-ky', imageForm(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'chu-ky.png', { _csrf: csrf }));
    expect(svg.status).toBe(400);
    expect(svg.html).toContain('SVG');
    await expectUnchanged(before);

    const mine = makePng(240, 90, (x, y) => (Math.abs(y - 45 - 20 * Math.sin(x / 20)) < 4 ? [...SIGN_ORANGE, 255] : [0, 0, 0, 0]));
    const ok = await lanhdao.post('/trang-ca-nhan/chu-ky', imageForm(mine, 'chu-ky.png', { _csrf: csrf }));
    expect(ok.status).toBe(303);
    const after = await lanhdao.get('/trang-ca-nhan');
    expect(after.html).toContain('Đã lưu hình ảnh chữ ký');
    expect(after.html).toContain('240×90');
    expect(await h.db.selectFrom('images').select(['owner', 'sha256', 'uploaded_by']).where('kind', '=', 'signature').execute())
      .toEqual([{ owner: 'lanhdao', sha256: sha256(mine), uploaded_by: 'lanhdao' }]);
  });
});

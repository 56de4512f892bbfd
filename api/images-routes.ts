// Seal and signature images: the screens "Quản lý con dấu" (sealer) and "Trang cá nhân" / "Quản lý chữ ký cá nhân"
// (every staff user; the signature part for signers), and the JSON API /api/v1/images/{seal,signature}.
// Mounted with one line each in web.ts (inside the session router) and v1.ts (after the bearer check).
import express, { type NextFunction, type Request, type Response } from 'express';
import { vnIsoDate } from '../domain/vn-time.js';
import { formatDateTimeVn, formatDateVn } from '../domain/attestation.js';
import { DomainError, HTTP_STATUS } from '../domain/errors.js';
import { PNG_MAX_BYTES, PNG_MAX_SIDE, PNG_MIN_SIDE } from '../domain/png.js';
import type { Actor, Role } from '../domain/types.js';
import { getImage, imageOwnerFor, PNG_UPLOAD, saveImage, type ImageKind, type ImageRecord } from '../activities/images.js';
import { LEADER_RECT, SEAL_RECT } from '../activities/pdf/layout.js';
import type { AppDeps } from './app.js';
import { discard, parseFormUpload, parseMultipart, type UploadedFile } from './http/upload.js';

const ROLE_LABELS: Record<Role, string> = {
  creator: 'Quyền tạo bản sao', signer: 'Quyền ký bản sao', sealer: 'Quyền đóng dấu bản sao', admin: 'Quản trị', supervisor: 'Giám sát',
};
const RULES = `Chỉ nhận ảnh định dạng PNG (kiểm tra theo nội dung tệp), dung lượng tối đa ${PNG_MAX_BYTES / 1024 / 1024} MB, mỗi cạnh từ ${PNG_MIN_SIDE} đến ${PNG_MAX_SIDE} điểm ảnh. Nên dùng nền trong suốt.`;

/** CSS pixels per PDF point in the previews (the boxes keep the attestation page's proportions). */
const SCALE = 1.5;
const px = (pt: number) => Math.round(pt * SCALE * 10) / 10;

/** Where the images go on the attestation page, from the same constants the PDF steps use (activities/pdf/layout.ts). */
function previewGeometry() {
  const [lx1, ly1, lx2, ly2] = LEADER_RECT;
  const lw = lx2 - lx1;
  const lh = ly2 - ly1;
  // sign.ts: ap.image(img, 2, 26, w - 4, h - 28), then "Ký bởi" / "Ngày ký" at 8 pt.
  const signature = { w: px(lw), h: px(lh), img: { left: px(2), top: px(lh - 26 - (lh - 28)), w: px(lw - 4), h: px(lh - 28) }, font: px(8) };
  const [sx1, sy1, sx2, sy2] = SEAL_RECT;
  const sw = sx2 - sx1;
  const sh = sy2 - sy1;
  // seal.ts: three text lines, then the image in a square of side 2r centred at (w/2, r + 4).
  const r = Math.min(sw, sh - 54) / 2 - 2;
  const seal = { w: px(sw), h: px(sh), img: { left: px(sw / 2 - r), top: px(sh - (r + 4) - r), size: px(2 * r) }, font: px(11), bold: px(12), pad: px(4) };
  return { signature, seal };
}

/**
 * The previews' boxes as a stylesheet, from the same geometry (the CSP allows no inline style attribute):
 * served at /hinh-anh/xem-truoc.css next to views/static/images.css.
 */
function previewStylesheet(g: ReturnType<typeof previewGeometry>): string {
  const { seal, signature } = g;
  return [
    `.seal-preview { width: ${seal.w}px; height: ${seal.h}px; --pad: ${seal.pad}px; --font: ${seal.font}px; --bold: ${seal.bold}px; }`,
    `.seal-preview .seal-img { left: ${seal.img.left}px; top: ${seal.img.top}px; width: ${seal.img.size}px; height: ${seal.img.size}px; }`,
    `.signature-preview { width: ${signature.w}px; height: ${signature.h}px; --font: ${signature.font}px; }`,
    `.signature-preview .sig-img { left: ${signature.img.left}px; top: ${signature.img.top}px; width: ${signature.img.w}px; height: ${signature.img.h}px; }`,
    '',
  ].join('\n');
}

function imageUrl(kind: ImageKind, owner: string, rec: ImageRecord | null): string | null {
  if (!rec) return null;
  const base = kind === 'seal' ? '/quan-ly-con-dau/con-dau' : '/trang-ca-nhan/chu-ky';
  return `${base}/${encodeURIComponent(owner)}?v=${rec.sha256.slice(0, 16)}`;
}

function sendPng(res: Response, deps: AppDeps, rec: ImageRecord, next: NextFunction) {
  res.set({
    'Content-Type': 'image/png', 'Content-Length': String(rec.size), ETag: `"${rec.sha256}"`, 'Cache-Control': 'private, no-cache',
    'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'", 'Content-Disposition': `inline; filename="${rec.kind}.png"`,
    'X-Image-Width': String(rec.width), 'X-Image-Height': String(rec.height),
  });
  deps.storage.stream(rec.sha256).on('error', next).pipe(res);
}

/** A PNG upload; from a screen ('form') it is also held to the CSRF check, from the API (bearer token) not. */
async function readUpload(req: Request, deps: AppDeps, from: 'form' | 'api' = 'api'): Promise<{ fields: Record<string, string>; file: UploadedFile | null }> {
  return (from === 'form' ? parseFormUpload : parseMultipart)(req, deps.storage, 'image', PNG_MAX_BYTES, PNG_UPLOAD);
}

function noFile(kind: ImageKind): DomainError {
  return new DomainError('validation', kind === 'seal' ? 'Vui lòng chọn tệp hình ảnh con dấu (.png).' : 'Vui lòng chọn tệp hình ảnh chữ ký (.png).', 'image');
}

// ---------------------------------------------------------------------------------------------------------
// Screens

export function imageWebRoutes(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const actor = (res: Response) => res.locals.actor as Actor;
  // Staff only (a staff actor has an agency); anyone else signs in as staff first.
  const needLogin = (req: Request, res: Response, next: NextFunction) => {
    if (!res.locals.actor?.agencyCode) return res.redirect(303, `/dang-nhap?next=${encodeURIComponent(req.originalUrl)}`);
    next();
  };
  const stylesheet = previewStylesheet(previewGeometry());
  r.get('/hinh-anh/xem-truoc.css', (_req, res) => {
    res.set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }).send(stylesheet);
  });

  // --- Quản lý con dấu (sealer) ---
  async function renderSeal(res: Response, status = 200, error?: string) {
    const a = actor(res);
    const rec = await getImage(db, 'seal', a.agencyCode);
    const today = vnIsoDate(new Date());
    const book = await db.selectFrom('register_books').select(['name', 'current_number']).where('agency_code', '=', a.agencyCode)
      .where('open_date', '<=', today).where('close_date', '>=', today).orderBy('id').executeTakeFirst();
    res.status(status).render('images-seal.njk', {
      title: 'Quản lý con dấu', active: '/quan-ly-con-dau', error, rules: RULES, image: rec,
      imageUrl: imageUrl('seal', a.agencyCode, rec), agencyCode: a.agencyCode,
      sample: { number: `${book?.current_number ?? 1}/ĐT`, book: book?.name ?? '01/…/ĐT', date: formatDateVn(new Date()) },
    });
  }
  const sealerOnly = (_req: Request, res: Response, next: NextFunction) => {
    try { imageOwnerFor(actor(res), 'seal'); next(); } catch (e) { next(e); }
  };
  r.get('/quan-ly-con-dau', needLogin, sealerOnly, async (_req, res, next) => {
    try { await renderSeal(res); } catch (e) { next(e); }
  });
  r.post('/quan-ly-con-dau', needLogin, sealerOnly, async (req, res, next) => {
    try {
      const { fields, file } = await readUpload(req, deps, 'form');
      if (!file) throw noFile('seal');
      const owner = imageOwnerFor(actor(res), 'seal');
      await saveImage(db, deps.storage, { kind: 'seal', owner, by: actor(res).username, file });
      req.session!.flash = 'Đã lưu hình ảnh con dấu. Các bản sao đóng dấu từ nay dùng hình ảnh này.';
      res.redirect(303, '/quan-ly-con-dau');
    } catch (e) {
      if (e instanceof DomainError) {
        try { return await renderSeal(res, HTTP_STATUS[e.code] ?? 400, e.message); } catch (e2) { return next(e2); }
      }
      next(e);
    }
  });
  // The seal image, only of the user's own agency.
  r.get('/quan-ly-con-dau/con-dau/:agency', needLogin, async (req, res, next) => {
    try {
      if (req.params.agency !== actor(res).agencyCode) throw new DomainError('wrong_agency', 'Bạn chỉ xem được hình ảnh con dấu của cơ quan mình.');
      const rec = await getImage(db, 'seal', actor(res).agencyCode);
      if (!rec) throw new DomainError('not_found', 'Cơ quan chưa có hình ảnh con dấu.');
      sendPng(res, deps, rec, next);
    } catch (e) { next(e); }
  });

  // --- Trang cá nhân / Quản lý chữ ký cá nhân ---
  async function renderPersonal(res: Response, status = 200, error?: string) {
    const a = actor(res);
    const user = await db.selectFrom('users').select(['email']).where('username', '=', a.username).executeTakeFirst();
    const agencies = await db.selectFrom('agencies').select(['code', 'name'])
      .where((eb) => eb.or([
        eb('code', '=', a.agencyCode),
        eb('code', 'in', eb.selectFrom('user_roles').select('agency_code').where('username', '=', a.username)),
      ])).orderBy('code').execute();
    const isSigner = a.roles.includes('signer');
    const rec = isSigner ? await getImage(db, 'signature', a.username) : null;
    res.status(status).render('personal.njk', {
      title: isSigner ? 'Quản lý chữ ký cá nhân' : 'Trang cá nhân', active: '/trang-ca-nhan', error, rules: RULES,
      email: user?.email ?? '', agencies, roleLabels: a.roles.map((x) => ROLE_LABELS[x] ?? x), isSigner,
      image: rec, imageUrl: imageUrl('signature', a.username, rec),
      sample: { signedAt: formatDateTimeVn(new Date()) },
    });
  }
  r.get('/trang-ca-nhan', needLogin, async (_req, res, next) => {
    try { await renderPersonal(res); } catch (e) { next(e); }
  });
  r.post('/trang-ca-nhan/chu-ky', needLogin, async (req, res, next) => {
    try {
      imageOwnerFor(actor(res), 'signature'); // before reading the upload: a non-signer's file is never stored
      const { fields, file } = await readUpload(req, deps, 'form');
      let owner: string;
      try { owner = imageOwnerFor(actor(res), 'signature', fields.username); } catch (e) { await discard(file); throw e; }
      if (!file) throw noFile('signature');
      await saveImage(db, deps.storage, { kind: 'signature', owner, by: actor(res).username, file });
      req.session!.flash = 'Đã lưu hình ảnh chữ ký. Các bản sao ký số từ nay dùng hình ảnh này.';
      res.redirect(303, '/trang-ca-nhan');
    } catch (e) {
      if (e instanceof DomainError) {
        try { return await renderPersonal(res, HTTP_STATUS[e.code] ?? 400, e.message); } catch (e2) { return next(e2); }
      }
      next(e);
    }
  });
  // The signature image, only the user's own.
  r.get('/trang-ca-nhan/chu-ky/:username', needLogin, async (req, res, next) => {
    try {
      if (req.params.username !== actor(res).username) throw new DomainError('forbidden', 'Bạn chỉ xem được hình ảnh chữ ký của chính mình.');
      const rec = await getImage(db, 'signature', actor(res).username);
      if (!rec) throw new DomainError('not_found', 'Bạn chưa có hình ảnh chữ ký.');
      sendPng(res, deps, rec, next);
    } catch (e) { next(e); }
  });

  return r;
}

// ---------------------------------------------------------------------------------------------------------
// JSON API (mounted at /api/v1/images, after the bearer-token check)

function imageJson(rec: ImageRecord) {
  return { kind: rec.kind, owner: rec.owner, sha256: rec.sha256, size: rec.size, width: rec.width, height: rec.height, uploadedBy: rec.uploadedBy, uploadedAt: rec.uploadedAt };
}

export function imageApiRoutes(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const actor = (res: Response) => res.locals.actor as Actor;

  const upload = (kind: ImageKind) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      // The role (and, for a signature, the user named in the query) first: a refused caller's file is never stored.
      const query = typeof req.query.username === 'string' ? req.query.username : undefined;
      imageOwnerFor(actor(res), kind, query);
      if (!req.is('multipart/form-data')) throw new DomainError('validation', 'Gửi hình ảnh dạng multipart/form-data với tệp "image" (ảnh PNG).');
      const { fields, file } = await readUpload(req, deps);
      let owner: string;
      try { owner = imageOwnerFor(actor(res), kind, fields.username ?? query); } catch (e) { await discard(file); throw e; }
      if (!file) throw noFile(kind);
      res.json(imageJson(await saveImage(db, deps.storage, { kind, owner, by: actor(res).username, file })));
    } catch (e) { next(e); }
  };
  r.post('/seal', upload('seal'));
  r.post('/signature', upload('signature'));

  r.get('/seal', async (_req, res, next) => {
    try {
      const rec = await getImage(db, 'seal', actor(res).agencyCode);
      if (!rec) throw new DomainError('not_found', 'Cơ quan chưa có hình ảnh con dấu.');
      sendPng(res, deps, rec, next);
    } catch (e) { next(e); }
  });
  r.get('/signature', async (_req, res, next) => {
    try {
      const rec = await getImage(db, 'signature', actor(res).username);
      if (!rec) throw new DomainError('not_found', 'Bạn chưa có hình ảnh chữ ký.');
      sendPng(res, deps, rec, next);
    } catch (e) { next(e); }
  });
  return r;
}

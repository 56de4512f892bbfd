// Screens of the seal and signature images: "Quản lý con dấu" (sealer) and "Trang cá nhân" / "Quản lý chữ ký cá nhân"
// (every staff user; the signature part for signers), with the previews' stylesheet and the images themselves.
import express, { type Response } from 'express';
import { vnDate, vnIsoDate, vnTimeDate } from '../../domain/vn-time.js';
import { DomainError } from '../../domain/errors.js';
import { PNG_MAX_BYTES, PNG_MAX_SIDE, PNG_MIN_SIDE } from '../../domain/png.js';
import { ROLE_LABELS } from '../../domain/types.js';
import { LEADER_RECT, SEAL_RECT } from '../../activities/pdf/layout.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf, flash, needLogin, staffOnly } from '../http/guards.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { discard, parseFormUpload } from '../http/upload.js';
import { agenciesOf, openBookOn, userEmail } from './queries.js';
import { sendPng } from './send-png.js';
import {
  getImage, imageOwnerFor, noImageFile, PNG_UPLOAD, requireImage, saveImage, SEAL_ROLE_MESSAGE, type ImageKind, type ImageRecord,
} from './service.js';

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

/** A PNG upload from a screen: held to the CSRF check too. */
const readUpload = (req: express.Request, deps: AppDeps) => parseFormUpload(req, deps.storage, 'image', PNG_MAX_BYTES, PNG_UPLOAD);

// Staff only; anyone else signs in as staff first (needLogin). Mounted inside the session router (api/app.ts, screenRoutes).
export function imageScreens(deps: AppDeps) {
  const r = express.Router();
  const { db } = deps;
  const stylesheet = previewStylesheet(previewGeometry());
  r.get('/hinh-anh/xem-truoc.css', (_req, res) => {
    res.set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }).send(stylesheet);
  });

  // --- Quản lý con dấu (sealer) ---
  async function renderSeal(res: Response, status = 200, error?: string) {
    const a = actorOf(res);
    const rec = await getImage(db, 'seal', a.agencyCode);
    const book = await openBookOn(db, a.agencyCode, vnIsoDate(new Date()));
    res.status(status).render('images-seal.njk', {
      title: 'Quản lý con dấu', active: '/quan-ly-con-dau', error, rules: RULES, image: rec,
      imageUrl: imageUrl('seal', a.agencyCode, rec), agencyCode: a.agencyCode,
      sample: { number: `${book?.current_number ?? 1}/ĐT`, book: book?.name ?? '01/…/ĐT', date: vnDate(new Date()) },
    });
  }
  const sealerOnly = staffOnly('sealer', SEAL_ROLE_MESSAGE);
  r.get('/quan-ly-con-dau', ...sealerOnly, async (_req, res, next) => {
    try { await renderSeal(res); } catch (e) { next(e); }
  });
  r.post('/quan-ly-con-dau', ...sealerOnly, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    const { file } = await readUpload(req, deps);
    if (!file) throw noImageFile('seal');
    const owner = imageOwnerFor(actorOf(res), 'seal');
    await saveImage(db, deps.storage, { kind: 'seal', owner, actor: actorOf(res), file });
    flash(req, 'Đã lưu hình ảnh con dấu. Các bản sao đóng dấu từ nay dùng hình ảnh này.');
    res.redirect(303, '/quan-ly-con-dau');
  }, (status, message) => renderSeal(res, status, message), []));
  // The seal image, only of the user's own agency.
  r.get('/quan-ly-con-dau/con-dau/:agency', needLogin, async (req, res, next) => {
    try {
      if (req.params.agency !== actorOf(res).agencyCode) throw new DomainError('wrong_agency', 'Bạn chỉ xem được hình ảnh con dấu của cơ quan mình.');
      sendPng(res, deps.storage, await requireImage(db, 'seal', actorOf(res).agencyCode), next);
    } catch (e) { next(e); }
  });

  // --- Trang cá nhân / Quản lý chữ ký cá nhân ---
  async function renderPersonal(res: Response, status = 200, error?: string) {
    const a = actorOf(res);
    const user = await userEmail(db, a.username);
    const agencies = await agenciesOf(db, a.username, a.agencyCode);
    const isSigner = a.roles.includes('signer');
    const rec = isSigner ? await getImage(db, 'signature', a.username) : null;
    res.status(status).render('personal.njk', {
      title: isSigner ? 'Quản lý chữ ký cá nhân' : 'Trang cá nhân', active: '/trang-ca-nhan', error, rules: RULES,
      email: user?.email ?? '', agencies, roleLabels: a.roles.map((x) => ROLE_LABELS[x] ?? x), isSigner,
      image: rec, imageUrl: imageUrl('signature', a.username, rec),
      sample: { signedAt: vnTimeDate(new Date()) },
    });
  }
  r.get('/trang-ca-nhan', needLogin, async (_req, res, next) => {
    try { await renderPersonal(res); } catch (e) { next(e); }
  });
  r.post('/trang-ca-nhan/chu-ky', needLogin, (req, res, next) => renderAgainOnRefusal(res, next, async () => {
    imageOwnerFor(actorOf(res), 'signature'); // before reading the upload: a non-signer's file is never stored
    const { fields, file } = await readUpload(req, deps);
    let owner: string;
    try { owner = imageOwnerFor(actorOf(res), 'signature', fields.username); } catch (e) { await discard(file); throw e; }
    if (!file) throw noImageFile('signature');
    await saveImage(db, deps.storage, { kind: 'signature', owner, actor: actorOf(res), file });
    flash(req, 'Đã lưu hình ảnh chữ ký. Các bản sao ký số từ nay dùng hình ảnh này.');
    res.redirect(303, '/trang-ca-nhan');
  }, (status, message) => renderPersonal(res, status, message), []));
  // The signature image, only the user's own.
  r.get('/trang-ca-nhan/chu-ky/:username', needLogin, async (req, res, next) => {
    try {
      if (req.params.username !== actorOf(res).username) throw new DomainError('forbidden', 'Bạn chỉ xem được hình ảnh chữ ký của chính mình.');
      sendPng(res, deps.storage, await requireImage(db, 'signature', actorOf(res).username), next);
    } catch (e) { next(e); }
  });

  return r;
}

// Placing the signature on "Xử lý" in a real browser (Debian's Chromium driven by playwright-core,
// lib/testing/browser.ts) on the real app, worker, Temporal dev server and PostgreSQL: the leader sees the attestation
// page as a picture with the signature box at the default place, drags it with the mouse, moves it with the arrow keys
// (never off the page) or picks a preset; the form carries the place in PDF points; KÝ SỐ signs there (the signed
// PDF rendered by poppler's pdftoppm shows the signature image where the box was), and the next dossier opens with the
// box at the leader's last place; without JavaScript the presets alone sign.
// With UPDATE_SCREENSHOTS=1 it also saves docs/screenshots/19-vi-tri-chu-ky.png.
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../activities/pdf/fixtures.js';
import { DEFAULT_PLACEMENT, PLACEMENT_LIMITS, PLACEMENT_PRESETS, SIGNATURE_BOX, type SignaturePlacement } from '../../domain/placement.js';
import {
  brokenImages, check, click, flash, login, openMenu, pointerReaches, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld,
} from '../../lib/testing/browser.js';
import { patch, renderPage } from '../../lib/testing/files.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, multipart } from '../../lib/testing/http.js';

/** A4 portrait in PDF points: the attestation page the box is placed on. */
const A4 = { width: 595.28, height: 841.89 };

let world: BrowserWorld | null = null;
let h: Harness;
let tmp: string;
const { call } = apiClient(() => h.baseUrl);

// An orange ellipse as the leader's signature image: a rendered orange pixel tells where the box was drawn.
const ORANGE: [number, number, number] = [240, 120, 0];
const orangeSignature = () => makePng(300, 120, (x, y) => (((x - 150) / 145) ** 2 + ((y - 60) / 55) ** 2 < 1 ? [...ORANGE, 255] : [0, 0, 0, 0]));
/** The centre of the signature image in a box whose lower-left corner is `p` (sign.ts: the image in (2, 26)–(w-2, h-2)). */
const imageCentre = (p: SignaturePlacement) => ({ x: p.x + SIGNATURE_BOX.width / 2, y: p.y + 26 + (SIGNATURE_BOX.height - 28) / 2 });

beforeAll(async () => {
  // Without Chromium nothing is set up (null); each test then fails with the install hint (failed, not skipped).
  world = await startBrowserWorld('ctdt-placement-browser-');
  if (!world) return;
  ({ h, tmp } = world);
  const up = await call('lanhdao', 'POST', '/images/signature', { form: multipart({}, 'image', orangeSignature(), 'chu-ky.png', 'image/png') });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
});

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------------------

async function newDossier(): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const created = await call('canbo', 'POST', '/dossiers', { form });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.code as string;
}

/** The leader's page, with every console error recorded (problemsOf has the CSP ones, script errors and 5xx). */
async function leaderPage(): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await world!.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  await login(page, 'lanhdao');
  return { page, consoleErrors };
}

/** Opens "Xử lý" of the dossier from "Bản sao chờ ký", as the leader does. */
async function openFromList(page: Page, code: string) {
  if (new URL(page.url()).pathname !== '/ho-so/cho-ky') await openMenu(page, 'Bản sao chờ ký');
  await click(page.locator(`tr[data-code="${code}"]`).getByRole('link', { name: 'Xử lý', exact: true }));
  await seeText(page.getByTestId('dossier-code'), code);
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const readoutOf = (p: SignaturePlacement) => `Khung chữ ký: x ${p.x}, y ${p.y} điểm`;

/** The preview has loaded: the A4 attestation page at 1.5 px per point. */
async function previewLoaded(page: Page) {
  await expect.poll(() => page.getByTestId('attestation-preview').evaluate((el: HTMLImageElement) => (el.complete ? `${el.naturalWidth}×${el.naturalHeight}` : 'loading')), { timeout: 20_000 })
    .toBe('893×1263');
}

/** The preview's scale (CSS px per PDF point, from its rendered width) and where the box is, relative to the preview. */
async function boxOnPreview(page: Page) {
  const img = page.getByTestId('attestation-preview');
  const scale = (await img.evaluate((el: HTMLImageElement) => el.clientWidth)) / A4.width;
  const i = (await img.boundingBox())!;
  const b = (await page.getByTestId('placement-box').boundingBox())!;
  return { scale, img: i, left: b.x - i.x, top: b.y - i.y, width: b.width, height: b.height };
}

/** The box is drawn at `p` (PDF points, lower-left corner), within a pixel; the readout names the place. */
async function expectBoxAt(page: Page, p: SignaturePlacement) {
  await seeText(page.getByTestId('placement-readout'), readoutOf(p));
  const { scale, left, top, width, height } = await boxOnPreview(page);
  expect(scale, 'the preview is drawn on screen').toBeGreaterThan(0.5);
  const want = { left: p.x * scale, top: (A4.height - p.y - SIGNATURE_BOX.height) * scale, width: SIGNATURE_BOX.width * scale, height: SIGNATURE_BOX.height * scale };
  const got = { left, top, width, height };
  for (const k of Object.keys(want) as (keyof typeof want)[]) {
    expect(Math.abs(got[k] - want[k]), `${k} of the box at ${JSON.stringify(p)}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBeLessThanOrEqual(1);
  }
}

/** What the form sends: the chosen radio and the hidden place in points. */
async function formPlace(page: Page) {
  return {
    checked: await page.locator('input[name=placement]:checked').getAttribute('value'),
    x: await page.locator('input[name=placementX]').inputValue(),
    y: await page.locator('input[name=placementY]').inputValue(),
  };
}

/** Drags the box with the mouse by (dx, dy) CSS pixels, from its centre (whole pixels, so the offset is exact). */
async function dragBox(page: Page, dx: number, dy: number) {
  const box = page.getByTestId('placement-box');
  await box.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await pointerReaches(box);
  const b = (await box.boundingBox())!;
  const from = { x: Math.round(b.x + b.width / 2), y: Math.round(b.y + b.height / 2) };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx, from.y + dy, { steps: 8 });
  await page.mouse.up();
}

async function press(page: Page, key: string, times: number) {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

const savedPlacement = () => h.db.selectFrom('signature_placements').select(['x', 'y']).where('username', '=', 'lanhdao').executeTakeFirst();

// ---------------------------------------------------------------------------------------------------------

describe('placing the signature on "Xử lý" in Chromium', () => {
  it('shows the attestation page with the box at the default place; the arrow keys move it exactly and never off the page; a preset moves it there', async () => {
    requireChromium();
    const code = await newDossier();
    const { page, consoleErrors } = await leaderPage();
    await openFromList(page, code);
    await previewLoaded(page);
    await expect.poll(() => page.getByTestId('attestation-preview').isVisible()).toBe(true);
    expect(await page.getByTestId('placement-box').isVisible()).toBe(true);
    await expectBoxAt(page, DEFAULT_PLACEMENT);
    expect(await page.getByLabel(PLACEMENT_PRESETS.default.label).isChecked()).toBe(true);
    expect(await page.locator('[data-placement-custom]').isVisible(), 'no dragged place yet').toBe(false);

    // Keyboard: 5 × → (2 pt each) and 2 × Shift+↑ (20 pt each; up is up on the page).
    const box = page.getByTestId('placement-box');
    await box.focus();
    await press(page, 'ArrowRight', 5);
    await press(page, 'Shift+ArrowUp', 2);
    const moved = { x: DEFAULT_PLACEMENT.x + 10, y: DEFAULT_PLACEMENT.y + 40 };
    await expectBoxAt(page, moved);
    expect(await formPlace(page)).toEqual({ checked: 'custom', x: String(moved.x), y: String(moved.y) });
    expect(await page.getByTestId('placement-custom').isChecked()).toBe(true);
    await seeText(page.locator('[data-placement-custom]'), `Vị trí đã kéo thả (x ${moved.x}, y ${moved.y} điểm)`);
    await click(page.getByTestId('placement-box')); // a click without a move leaves it there
    await expectBoxAt(page, moved);

    // Far more presses than the page has room for: the box stops at each edge (PLACEMENT_LIMITS), inside the picture.
    const { x: lx, y: ly } = PLACEMENT_LIMITS;
    for (const [key, times, corner] of [
      ['Shift+ArrowLeft', 20, { x: lx.min, y: moved.y }],
      ['Shift+ArrowDown', 45, { x: lx.min, y: ly.min }],
      ['Shift+ArrowRight', 25, { x: lx.max, y: ly.min }],
      ['Shift+ArrowUp', 45, { x: lx.max, y: ly.max }],
      ['ArrowRight', 3, { x: lx.max, y: ly.max }],
    ] as const) {
      await box.focus();
      await press(page, key, times);
      await expectBoxAt(page, corner);
      expect(await formPlace(page)).toEqual({ checked: 'custom', x: String(corner.x), y: String(corner.y) });
      const { img, left, top, width, height } = await boxOnPreview(page);
      expect(left, key).toBeGreaterThanOrEqual(-1);
      expect(top, key).toBeGreaterThanOrEqual(-1);
      expect(left + width, key).toBeLessThanOrEqual(img.width + 1);
      expect(top + height, key).toBeLessThanOrEqual(img.height + 1);
    }

    // A preset moves the box to its place.
    for (const key of ['left_bottom', 'center_bottom', 'right_lower', 'default'] as const) {
      const preset = PLACEMENT_PRESETS[key];
      await check(page.getByLabel(preset.label));
      await expectBoxAt(page, preset.at);
      expect((await formPlace(page)).checked).toBe(key);
    }

    // A narrower window draws the page smaller: the box follows it.
    const wide = (await boxOnPreview(page)).scale;
    await page.setViewportSize({ width: 480, height: 860 });
    await expect.poll(async () => (await boxOnPreview(page)).scale).toBeLessThan(wide * 0.9);
    await expectBoxAt(page, DEFAULT_PLACEMENT);

    expect(await brokenImages(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
    expect(await savedPlacement(), 'moving the box saves nothing until KÝ SỐ').toBeUndefined();
  });

  it('drags the box with the mouse, signs there (the signed PDF shows the signature where the box was), and the next dossier opens with the box at that place', async () => {
    requireChromium();
    const code = await newDossier();
    const next = await newDossier();
    const { page, consoleErrors } = await leaderPage();
    await openFromList(page, code);
    await previewLoaded(page);
    await expectBoxAt(page, DEFAULT_PLACEMENT);
    // The box shows the leader's own signature image.
    await expect.poll(() => page.getByTestId('placement-box').locator('img.sig-img').evaluate((el: HTMLImageElement) => `${el.naturalWidth}×${el.naturalHeight}`)).toBe('300×120');

    // 200 px to the left and 100 px down, in points at the preview's scale.
    const { scale } = await boxOnPreview(page);
    const [dx, dy] = [-200, 100];
    const dragged = { x: round2(DEFAULT_PLACEMENT.x + dx / scale), y: round2(DEFAULT_PLACEMENT.y - dy / scale) };
    await dragBox(page, dx, dy);
    await expectBoxAt(page, dragged);
    expect(await formPlace(page)).toEqual({ checked: 'custom', x: String(dragged.x), y: String(dragged.y) });
    expect(await page.locator('[data-placement-custom]').isVisible()).toBe(true);
    await seeText(page.locator('[data-placement-custom]'), `Vị trí đã kéo thả (x ${dragged.x}, y ${dragged.y} điểm)`);
    expect(await page.getByLabel(PLACEMENT_PRESETS.default.label).isChecked()).toBe(false);
    await shot(page, '19-vi-tri-chu-ky');

    // KÝ SỐ signs with the dragged place.
    await click(page.getByTestId('sign'));
    await flash(page, `Đã ký số hồ sơ ${code}`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/ho-so/cho-ky');
    expect(await page.locator(`tr[data-code="${code}"]`).count(), 'a signed dossier leaves "Bản sao chờ ký"').toBe(0);
    const signed = await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(code)}`);
    expect(signed.status).toBe(200);
    expect(signed.body.status).toBe('awaiting_seal');
    expect(signed.body.signedBy.placement).toEqual(dragged);
    expect(await savedPlacement()).toEqual(dragged);

    // The signed PDF's attestation page (page 2, after the 1-page scan): the orange signature where the box was, none at the default place.
    const res = await page.context().request.get(`/ho-so/${encodeURIComponent(code)}/pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('signed');
    const file = path.join(tmp, `${code}.pdf`);
    fs.writeFileSync(file, await res.body());
    const px = renderPage(file, 2, tmp);
    const there = imageCentre(dragged);
    const usual = imageCentre(DEFAULT_PLACEMENT);
    expect(patch(px, there.x, there.y, ORANGE)).toBeGreaterThan(70);
    expect(patch(px, usual.x, usual.y, ORANGE)).toBe(0);

    // The next dossier: the box at the leader's last place, chosen as "Vị trí đã kéo thả".
    await openFromList(page, next);
    await previewLoaded(page);
    await expectBoxAt(page, dragged);
    expect(await formPlace(page)).toEqual({ checked: 'custom', x: String(dragged.x), y: String(dragged.y) });
    await seeText(page.locator('[data-placement-custom]'), `Vị trí đã kéo thả (x ${dragged.x}, y ${dragged.y} điểm)`);
    // And on a fresh load of the page, not only after htmx's swap.
    await page.reload();
    await previewLoaded(page);
    await expectBoxAt(page, dragged);
    expect(await formPlace(page)).toEqual({ checked: 'custom', x: String(dragged.x), y: String(dragged.y) });

    expect(await brokenImages(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
  });

  it('without JavaScript: no picture to drag, the presets only; the chosen preset signs', async () => {
    requireChromium();
    const code = await newDossier();
    const page = await world!.newPage({ javaScriptEnabled: false });
    await login(page, 'lanhdao');
    await openFromList(page, code);
    expect(await page.getByTestId('attestation-preview').isVisible(), 'the picture needs the script to be of use').toBe(false);
    expect(await page.getByTestId('placement-box').isVisible()).toBe(false);
    for (const p of Object.values(PLACEMENT_PRESETS)) expect(await page.getByLabel(p.label).isVisible()).toBe(true);
    await check(page.getByLabel(PLACEMENT_PRESETS.center_bottom.label));
    await click(page.getByTestId('sign'));
    await flash(page, `Đã ký số hồ sơ ${code}`);
    const signed = await call('lanhdao', 'GET', `/dossiers/${encodeURIComponent(code)}`);
    expect(signed.body.signedBy.placement).toEqual(PLACEMENT_PRESETS.center_bottom.at);
    expect(await savedPlacement()).toEqual(PLACEMENT_PRESETS.center_bottom.at);
    expect(await brokenImages(page)).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
  });
});

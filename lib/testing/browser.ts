// The browser tests' common part: Debian's Chromium driven by playwright-core (launch, the missing-Chromium guard and
// banner), pages that record server errors, script errors and CSP violations, screenshots for docs/screenshots/, and what a person
// does on the staff screens (log in, open a menu, wait for a text or a flash message, click like a person).
// Chromium is REQUIRED: when /usr/bin/chromium is missing the browser tests fail with an install hint (never skip).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createHarness, type Harness } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const VIEWPORT = { width: 1280, height: 860 };
/** Where the screenshots go (docs/screenshots/ of the project). */
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const MAX_SHOT_BYTES = 300 * 1024;

/** First line of every browser test: fails it, with the install hint, when Chromium is missing. */
export function requireChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\`.${process.env.CI ? ' (CI)' : ''}`);
}

/** True, after a banner with the install hint, when Chromium is missing. */
function chromiumMissing(): boolean {
  if (fs.existsSync(CHROMIUM)) return false;
  const msg = [
    '',
    '################################################################################',
    `#  Browser tests need Chromium at ${CHROMIUM}, and it is missing.`,
    '#  Install it:   apt-get install chromium',
    '#  (no browser download is possible here; playwright-core drives that binary).',
    process.env.CI ? '#  CI is set: this is a failure of the CI image, not a skip.' : '#  This test fails rather than skipping silently.',
    '################################################################################',
    '',
  ].join('\n');
  console.error(msg);
  return true;
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

const pageProblems = new WeakMap<Page, string[]>();
/** The server errors (5xx) and script errors seen on the page so far: a test expects none. */
export const problemsOf = (page: Page) => pageProblems.get(page) ?? [];

/** A page in a context of its own (its own cookies), in Vietnamese, at `baseURL`. */
async function openPage(browser: Browser, baseURL: string, opts: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', ...opts });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  // A server error or a failing script on any screen is a test failure too.
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} ${r.url()}`); });
  // So is anything the Content-Security-Policy blocked (an inline script, handler or style left in a view).
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`); });
  pageProblems.set(page, problems);
  return page;
}

/** One browser test file's world: its harness (app, worker, database), Chromium, and a temp folder of its own. */
export interface BrowserWorld {
  h: Harness;
  tmp: string;
  /** A page in a context of its own on the app, with `pageDefaults` and then `opts`. */
  newPage(opts?: BrowserContextOptions): Promise<Page>;
  /** Closes the pages, Chromium and the harness, and removes the temp folder. */
  close(): Promise<void>;
}

/**
 * For beforeAll: starts the harness and Chromium side by side, and makes the temp folder (`tmpPrefix`…). Without
 * Chromium it starts nothing and gives null, after the banner: each test then fails through requireChromium().
 */
export async function startBrowserWorld(tmpPrefix: string, pageDefaults: BrowserContextOptions = {}): Promise<BrowserWorld | null> {
  if (chromiumMissing()) return null;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const [harness, launched] = await Promise.allSettled([createHarness(), launchChromium()]);
  if (harness.status === 'rejected' || launched.status === 'rejected') {
    if (harness.status === 'fulfilled') await harness.value.close();
    if (launched.status === 'fulfilled') await launched.value.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw harness.status === 'rejected' ? harness.reason : (launched as PromiseRejectedResult).reason;
  }
  const h = harness.value;
  const browser = launched.value;
  return {
    h, tmp,
    newPage: (opts = {}) => openPage(browser, h.baseUrl, { ...pageDefaults, ...opts }),
    async close() {
      for (const c of browser.contexts()) await c.close().catch(() => {});
      await browser.close();
      await h.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Only with UPDATE_SCREENSHOTS=1: saves docs/screenshots/<name>.png of the whole page, and checks it stays small
 * enough to commit. Otherwise nothing is written: a test run leaves the tracked screenshots (and the work tree) as
 * they were, and no step of a test may lean on the waits below.
 */
export async function shot(page: Page, name: string) {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  // Not 'networkidle': the PDF preview keeps Chromium's viewer busy. Fonts loaded and a breath for htmx to settle.
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => setTimeout(r, 150))));
  // The PDF viewer draws inside its own frame, out of reach: give it time to render the preview (for the picture only).
  if (await page.locator('object.pdf').count()) await page.waitForTimeout(2000);
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  expect(fs.statSync(file).size, `${name}.png should stay commit-friendly`).toBeLessThan(MAX_SHOT_BYTES);
}

/** The images shown on the page that did not load (a broken-image icon to a person), by their alt text or src. */
export function brokenImages(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.images]
    .filter((img) => img.getClientRects().length > 0 && getComputedStyle(img).visibility !== 'hidden')
    .filter((img) => !img.complete || img.naturalWidth === 0)
    .map((img) => img.alt || img.getAttribute('src') || '(img without src)'));
}

// ---------------------------------------------------------------------------------------------------------
// What a person does on a screen.

/** Waits until the locator's text contains every given piece (htmx swaps land asynchronously). */
export async function seeText(loc: Locator, ...pieces: string[]) {
  for (const p of pieces) await expect.poll(() => loc.first().innerText().catch(() => ''), { timeout: 20_000 }).toContain(p);
}

/**
 * Waits until htmx has wired up the page's elements with hx-* attributes. Right after a boosted navigation
 * the new content is on screen a moment before htmx listens to it; a change made then goes unheard.
 */
export async function htmxReady(page: Page) {
  await expect.poll(() => page.evaluate(() => {
    if (document.readyState !== 'complete') return false;
    // Loaded and still no htmx: JavaScript is off (the forms then work as plain HTML), nothing to wait for.
    if (!(window as unknown as { htmx?: unknown }).htmx) return true;
    return [...document.querySelectorAll('[hx-get], [hx-post], [hx-trigger]')]
      .every((el) => (el as unknown as Record<string, { firstInitCompleted?: boolean } | undefined>)['htmx-internal-data']?.firstInitCompleted === true);
  }).catch(() => false), { timeout: 20_000 }).toBe(true);
}

/** Types into a field once htmx listens to it (fields that load something when they change). */
export async function fill(loc: Locator, value: string) {
  await htmxReady(loc.page());
  await loc.fill(value);
}

/**
 * Waits until the mouse, moved onto the element, reaches it: the element (or a child) is under the pointer as the
 * page itself sees it (`:hover`). Chromium routes mouse events between frames by hit-test data that can lag behind
 * a scroll, and the PDF preview is a frame of its own: a click sent then lands in the PDF viewer (seen here: only
 * a window blur, the button never clicked). Moving away and back until the element is hovered is the state a click
 * needs; no fixed delay.
 */
export async function pointerReaches(loc: Locator) {
  const page = loc.page();
  await expect.poll(async () => {
    await page.mouse.move(0, 0);
    await loc.hover();
    return loc.evaluate((el) => el.matches(':hover'));
  }, { timeout: 20_000, interval: 50 }).toBe(true);
}

/** Clicks like a person: once htmx listens, and once the pointer over the element reaches it (see pointerReaches). */
export async function click(loc: Locator) {
  await htmxReady(loc.page());
  await loc.scrollIntoViewIfNeeded();
  await pointerReaches(loc);
  await loc.click();
}

/** Checks a radio button or checkbox the same way (a check is a click). */
export async function check(loc: Locator) {
  await htmxReady(loc.page());
  await loc.scrollIntoViewIfNeeded();
  await pointerReaches(loc);
  await loc.check();
}

/** Logs a staff member in through the login form (password "demo", as seeded). */
export async function login(page: Page, username: string) {
  await page.goto('/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill('demo');
  await page.getByRole('button', { name: 'ĐĂNG NHẬP', exact: true }).click();
  await seeText(page.getByTestId('current-user'), username);
}

/** Opens a screen from the staff menu, and checks it is the one marked active. */
export async function openMenu(page: Page, label: string) {
  await page.getByRole('navigation', { name: 'Chứng thực điện tử' }).getByRole('link', { name: label, exact: true }).click();
  await seeText(page.locator('.breadcrumb'), label);
  await expect.poll(() => page.getByRole('navigation', { name: 'Chứng thực điện tử' }).locator('a.active').innerText()).toBe(label);
}

/** Waits for a flash message containing the text (a refusal shows as "(refused) …", so it never matches by mistake). */
export async function flash(page: Page, text: string) {
  await expect.poll(async () => {
    const ok = await page.locator('.flash.ok').allInnerTexts();
    const refused = await page.locator('.flash.error').allInnerTexts();
    return [...ok, ...refused.map((e) => `(refused) ${e}`)].join(' | ');
  }, { timeout: 20_000 }).toContain(text);
}

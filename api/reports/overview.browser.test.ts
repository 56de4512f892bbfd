// Tổng quan in a real browser (Debian's Chromium through playwright-core, on the real stack): a supervisor lands on
// the dashboard after logging in; the three SVG charts drawn on the server are shown (their boxes have a size, their
// legends are text a person reads), with JavaScript and without it, and the Content-Security-Policy blocks nothing;
// a figure's link opens the list that counts the same. Then "Lịch sử workflow" of a signed dossier. With
// UPDATE_SCREENSHOTS=1, saves docs/screenshots/17-tong-quan.png (not the history view: too long for a picture).
// Chromium is REQUIRED: when /usr/bin/chromium is missing the suite fails with an install hint (never skips).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, problemsOf, requireChromium, seeText, shot, startBrowserWorld, type BrowserWorld } from '../../lib/testing/browser.js';
import { makePdf, type Harness } from '../../lib/testing/harness.js';
import { apiClient, multipart } from '../../lib/testing/http.js';

let world: BrowserWorld | null = null;
let h: Harness;
const { call } = apiClient(() => h.baseUrl);
let signed = '';

async function create(): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const r = await call('canbo', 'POST', '/dossiers', { form });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.code;
}

beforeAll(async () => {
  world = await startBrowserWorld('ctdt-overview-browser-');
  if (!world) return;
  ({ h } = world);
  const books = await call('vanthu', 'GET', '/register-books');
  const bookId = books.body.items?.[0]?.id ?? books.body[0]?.id;
  for (let i = 0; i < 2; i++) {
    const code = await create();
    expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(code)}/sign`)).status).toBe(200);
    expect((await call('vanthu', 'POST', `/dossiers/${encodeURIComponent(code)}/seal`, { json: { registerBookId: bookId } })).status).toBe(200);
  }
  signed = await create();
  expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(signed)}/sign`)).status).toBe(200);
  const returned = await create();
  expect((await call('lanhdao', 'POST', `/dossiers/${encodeURIComponent(returned)}/return`, { json: { reason: 'Bản scan mờ' } })).status).toBe(200);
  await create();
}, 240_000);
afterAll(async () => { await world?.close(); });

describe.each([['with JavaScript', true], ['without JavaScript', false]] as const)('Tổng quan in Chromium %s', (_mode, javaScriptEnabled) => {
  it('the supervisor lands on it; the charts are drawn and readable; a figure opens the list it counts', async () => {
    requireChromium();
    const page = await world!.newPage({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    await login(page, 'giamsat');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/tong-quan');
    await seeText(page.locator('.breadcrumb'), 'Tổng quan');
    await seeText(page.getByTestId('overview-figures').locator('[data-figure="received"]'), '5');
    await seeText(page.getByTestId('overview-figures').locator('[data-figure="completed"]'), '2');
    for (const chart of ['status', 'by-day', 'by-agency']) {
      const svg = page.locator(`[data-chart="${chart}"] svg`);
      const box = await svg.boundingBox();
      expect(box?.width, chart).toBeGreaterThan(200);
      expect(box?.height, chart).toBeGreaterThan(150);
      expect(await svg.locator('text').count(), chart).toBeGreaterThan(2);
    }
    const svgText = (chart: string) => page.locator(`[data-chart="${chart}"] svg`).evaluate((e) => e.textContent ?? '');
    expect(await svgText('by-day')).toContain('Tiếp nhận');
    expect(await svgText('status')).toContain('Hoàn thành đúng hạn');
    // The text is drawn in the page's font size, not the browser's default (the attributes the CSP lets through).
    expect(await page.locator('[data-chart="by-day"] svg text').first().evaluate((t) => getComputedStyle(t).fontSize)).toBe('12px');
    if (javaScriptEnabled) await shot(page, '17-tong-quan');
    expect(problemsOf(page)).toEqual([]);

    await page.getByTestId('overview-figures').locator('[data-figure="completed"] a').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/ho-so/theo-doi');
    await seeText(page.getByTestId('result-count'), 'Tìm thấy 2 kết quả');
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});

describe('Lịch sử workflow in Chromium', () => {
  it('shows every event of a signed dossier in Vietnamese', async () => {
    requireChromium();
    const page = await world!.newPage({ viewport: { width: 1280, height: 900 } });
    await login(page, 'giamsat');
    await page.goto(`/ho-so/${encodeURIComponent(signed)}`);
    await page.goto((await page.getByTestId('workflow-history-link').getAttribute('href'))!);
    await seeText(page.locator('h1'), `Lịch sử workflow của hồ sơ ${signed}`);
    await seeText(page.getByTestId('workflow-history'), 'Bắt đầu workflow', 'Nhận thao tác: ký số (sign)', 'Hoàn thành hoạt động: ký số bản sao (signDossier)');
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});

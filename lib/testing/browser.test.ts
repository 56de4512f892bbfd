// The browser helpers themselves, in Debian's Chromium (no app needed): a test run leaves docs/screenshots/ as it is
// unless UPDATE_SCREENSHOTS=1 asks for new pictures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium, shot } from './browser.js';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const PROBE = 'zz-kiem-thu-anh-chup';
const probeFile = path.join(SHOTS, `${PROBE}.png`);

let browser: Browser | null = null;
beforeAll(async () => {
  if (fs.existsSync('/usr/bin/chromium')) browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  fs.rmSync(probeFile, { force: true });
  await browser?.close();
});

async function pageWithText() {
  const page = await browser!.newPage();
  await page.setContent('<main><h1>Ảnh chụp thử</h1></main>');
  return page;
}

describe('shot()', () => {
  it('writes nothing under docs/screenshots/ unless UPDATE_SCREENSHOTS=1', async () => {
    requireChromium();
    const saved = process.env.UPDATE_SCREENSHOTS;
    const page = await pageWithText();
    try {
      delete process.env.UPDATE_SCREENSHOTS;
      await shot(page, PROBE);
      expect(fs.existsSync(probeFile), 'a plain test run leaves docs/screenshots/ untouched').toBe(false);

      process.env.UPDATE_SCREENSHOTS = '1';
      await shot(page, PROBE);
      expect(fs.readFileSync(probeFile).subarray(1, 4).toString('latin1'), 'asked for, the picture is written').toBe('PNG');
    } finally {
      if (saved === undefined) delete process.env.UPDATE_SCREENSHOTS; else process.env.UPDATE_SCREENSHOTS = saved;
      fs.rmSync(probeFile, { force: true });
      await page.close();
    }
  });
});

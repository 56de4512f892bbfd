// inspectScan against hostile uploads (Hardening #2, #10): a decompression bomb, and scans that carry
// JavaScript, a Launch action, an embedded program, additional actions, XFA or RichMedia. Fixtures are made here.
import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { deflateBomb, makeActiveContentPdf, makeInflateBombPdf, makePlainLinksPdf, makeScanPdf, type ActiveContent } from './fixtures.js';
import { inspectScan, MAX_DECODED_BYTES, ScanError } from './scan.js';

async function refusal(pdf: Buffer): Promise<ScanError> {
  const e = await inspectScan(pdf).then(() => null, (x: unknown) => x);
  expect(e, 'the scan should be refused').toBeInstanceOf(ScanError);
  return e as ScanError;
}

describe('a decompression bomb', () => {
  it('the fixture is a real zlib stream of what it claims', () => {
    const out = inflateSync(deflateBomb(Buffer.from('abc '), 3));
    expect(out.length).toBe(4 + 3 * 1024 * 1024);
    expect(out.subarray(4).every((b) => b === 0x20)).toBe(true);
  });

  it('the issue\'s file (1.5 MB inflating to 1.5 GB) is refused as too large, without inflating it all', async () => {
    const bomb = makeInflateBombPdf(1536);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const e = await refusal(bomb);
    expect(e.code).toBe('too_large');
    expect(e.message).toMatch(/giải nén vượt quá 64 MB/);
    // Stopped at the budget: far from the 1.5 GB (and the 2.7 GB of RSS) it used to take.
    expect(process.memoryUsage().rss - before).toBeLessThan(4 * MAX_DECODED_BYTES);
  });

  it('an object stream under the budget is still read', async () => {
    expect(await inspectScan(makeInflateBombPdf(8))).toEqual({ pages: 1 });
  });
});

describe('active content is refused at upload, by what the parsed document holds', () => {
  const cases: [ActiveContent, RegExp][] = [
    ['openActionJavaScript', /JavaScript.*OpenAction \/JavaScript/],
    ['documentJavaScript', /JavaScript/],
    ['launch', /Launch/],
    ['embeddedExe', /tệp nhúng \(embedded file: payload\.exe\)/],
    ['fileAttachment', /tệp nhúng \(embedded file: payload\.exe\)/],
    ['additionalActions', /hành động bổ sung tự chạy \(\/AA\)/],
    ['xfa', /XFA/],
    ['richMedia', /RichMedia/],
  ];
  for (const [kind, named] of cases) {
    for (const objectStreams of [false, true]) {
      it(`${kind}${objectStreams ? ', inside compressed object streams' : ''}`, async () => {
        const pdf = await makeActiveContentPdf(kind, { objectStreams });
        const e = await refusal(pdf);
        expect(e.code).toBe('active_content');
        expect(e.message).toMatch(/^Bản chính có nội dung chủ động không được phép/);
        expect(e.message).toMatch(named);
      });
    }
  }

  it('a byte search would have missed the compressed ones', async () => {
    const pdf = await makeActiveContentPdf('openActionJavaScript', { objectStreams: true });
    expect(pdf.includes('/JavaScript')).toBe(false);
    expect((await refusal(pdf)).code).toBe('active_content');
  });

  it('plain links, a GoTo on open and object streams are not active content', async () => {
    expect(await inspectScan(await makePlainLinksPdf())).toEqual({ pages: 1 });
    expect(await inspectScan(await makeScanPdf({ pages: 2, objectStreams: true }))).toEqual({ pages: 2 });
  });
});

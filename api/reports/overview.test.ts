// The supervisors' dashboard ("Tổng quan", issue 11 point 1) on the real stack: a known set of dossiers — made through
// the API (signed and sealed, returned, cancelled, waiting), and copied into a child agency and a sibling one — with
// time moved by the test in the read model (a due day put in the past makes a completed dossier late and a waiting one
// overdue; a creation day moved back leaves today's period). The counts, per agency, per day and per step, match; a
// supervisor of the parent sees the child's dossiers and not the sibling's, one of the child sees only the child; the
// numbers link to the lists they count, and those lists count the same; the SVG charts render; Excel says the same.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar.js';
import { vnDateOfDay, vnIsoDate } from '../../domain/vn-time.js';
import { createHarness, makePdf, type Harness } from '../../lib/testing/harness.js';
import { bucketSeconds, percentile } from './overview.js';
import { apiClient, expectRefusal, loginStaff, multipart } from '../../lib/testing/http.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const today = vnIsoDate(new Date());
const yesterday = addDays(today, -1);
const CHILD = 'CON01';
const SIBLING = 'KHAC01';
const codes: Record<string, string> = {};

async function create(): Promise<string> {
  const form = multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const r = await call('canbo', 'POST', '/dossiers', { form });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.code;
}
const act = async (user: string, code: string, action: string, json?: unknown) => {
  const r = await call(user, 'POST', `/dossiers/${encodeURIComponent(code)}/${action}`, json ? { json } : {});
  expect(r.status, `${action} ${code}: ${JSON.stringify(r.body)}`).toBe(200);
};
const setRow = (code: string, v: Record<string, unknown>) => h.db.updateTable('dossiers').set(v).where('code', '=', code).execute();
/** A copy of a dossier's row and audit trail under another code and agency (a dossier of that agency). */
async function copyTo(code: string, suffix: string, agency: string) {
  const row = await h.db.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
  const copy = `${code}-${suffix}`;
  await h.db.insertInto('dossiers').values({ ...row, code: copy, agency_code: agency, snapshot: JSON.stringify(row.snapshot) }).execute();
  const events = await h.db.selectFrom('dossier_events').selectAll().where('dossier_code', '=', code).execute();
  await h.db.insertInto('dossier_events').values(events.map((e) => ({ ...e, event_id: `${e.event_id}-${suffix}`, dossier_code: copy, payload: JSON.stringify(e.payload) }))).execute();
  return copy;
}

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency(CHILD, [{ username: 'gs_con', roles: ['supervisor'] }]);
  await h.addAgency(SIBLING, [{ username: 'gs_khac', roles: ['supervisor'] }]);
  await h.db.updateTable('agencies').set({ parent_code: h.agencyCode }).where('code', '=', CHILD).execute();
  const books = await call('vanthu', 'GET', '/register-books');
  const bookId = books.body.items?.[0]?.id ?? books.body[0]?.id;
  expect(bookId, JSON.stringify(books.body)).toBeTruthy();
  const sealNow = async (code: string) => { await act('lanhdao', code, 'sign'); await act('vanthu', code, 'seal', { registerBookId: bookId }); };

  codes.late = await create(); await sealNow(codes.late);
  codes.onTime = await create(); await sealNow(codes.onTime);
  codes.returned = await create(); await act('lanhdao', codes.returned, 'return', { reason: 'Bản scan mờ' });
  codes.cancelled = await create(); await act('lanhdao', codes.cancelled, 'return', { reason: 'Sai giấy tờ' }); await act('canbo', codes.cancelled, 'cancel', { reason: 'Công dân rút hồ sơ' });
  codes.overdue = await create();
  codes.waiting = await create();
  codes.old = await create();
  // Time moved in the read model: sealed after its due day (late); still waiting after it (overdue, on the leader);
  // received ten days ago (outside today's period, but overdue now all the same).
  await setRow(codes.late, { due_date: yesterday });
  await setRow(codes.overdue, { due_date: yesterday });
  await setRow(codes.old, { created_at: new Date(Date.now() - 10 * 86_400_000), due_date: addDays(today, -8) });
  // The child agency: one sealed on time, one waiting; the sibling: one sealed (never counted for the parent).
  codes.childDone = await copyTo(codes.onTime, 'C1', CHILD);
  codes.childWaiting = await copyTo(codes.waiting, 'C2', CHILD);
  codes.sibling = await copyTo(codes.onTime, 'S1', SIBLING);
}, 240_000);
afterAll(async () => { await h?.close(); });

describe('Tổng quan', () => {
  it('today over the parent’s subtree: the counts match the known dossiers; the sibling is not in it', async () => {
    const r = await call('giamsat', 'GET', '/reports/overview');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const o = r.body;
    expect({ from: o.from, to: o.to, period: o.period }).toEqual({ from: today, to: today, period: 'today' });
    // Received today: 6 here (late, onTime, returned, cancelled, overdue, waiting) + 2 in the child.
    expect(o).toMatchObject({ received: 8, inProgress: 3, completed: 3, onTime: 2, late: 1, returned: 1, cancelled: 1, overdueNow: 2 });
    expect(o.byStatus).toEqual([
      { status: 'awaiting_review', label: 'Chờ kiểm tra', count: 0 }, { status: 'awaiting_signature', label: 'Chờ ký', count: 3 }, { status: 'awaiting_seal', label: 'Chờ đóng dấu', count: 0 },
    ]);
    expect(o.byAgency.map((a: { agencyCode: string }) => a.agencyCode).sort()).toEqual([h.agencyCode, CHILD].sort());
    expect(o.byAgency.find((a: { agencyCode: string }) => a.agencyCode === h.agencyCode)).toMatchObject({ received: 6, completed: 2, onTime: 1, late: 1, overdueNow: 2 });
    expect(o.byAgency.find((a: { agencyCode: string }) => a.agencyCode === CHILD)).toMatchObject({ received: 2, inProgress: 1, completed: 1, onTime: 1, late: 0, overdueNow: 0, depth: 1 });
    expect(o.byDay).toEqual([{ day: today, received: 8, completed: 3, late: 1 }]);
    // Each step's finished stays, with median and 90th percentile in seconds: waiting for the seal ended by the two
    // seals here and the child's copy; waiting for the signature by those three signatures and two returns.
    const seal = o.steps.find((s: { status: string }) => s.status === 'awaiting_seal');
    expect(seal.count).toBe(3);
    expect(seal.medianSeconds).toBeGreaterThanOrEqual(0);
    expect(seal.p90Seconds).toBeGreaterThanOrEqual(seal.medianSeconds);
    const signature = o.steps.find((s: { status: string }) => s.status === 'awaiting_signature');
    expect(signature.count).toBe(5); // the sibling's copy not counted
    expect(o.steps.find((s: { status: string }) => s.status === 'returned').count).toBe(1); // returned, then cancelled
    // Overdue now, the oldest due day first, with whose step each waits on.
    expect(o.overdue.map((d: { code: string }) => d.code)).toEqual([codes.old, codes.overdue]);
    expect(o.overdue[1]).toMatchObject({ status: 'awaiting_signature', dueDate: yesterday, waitingOn: { role: 'signer', label: 'Quyền ký bản sao', people: ['Lâm Phước Thọ'] } });
  });

  it('a custom period, one agency of the subtree (with the agencies under it), and the child’s own supervisor; refusals', async () => {
    const ten = addDays(today, -10);
    const r = await call('giamsat', 'GET', `/reports/overview?from=${ten}&to=${today}&agencyCode=${h.agencyCode}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // The agency chosen counts with its subtree: its own 7 (today's 6 and the old one) and the child's 2.
    expect(r.body).toMatchObject({ period: 'custom', received: 9, inProgress: 4, overdueNow: 2, agency: { code: h.agencyCode } });
    expect(r.body.byAgency.map((a: { agencyCode: string; subtree: boolean; received: number }) => [a.agencyCode, a.subtree, a.received]))
      .toEqual([[h.agencyCode, false, 7], [CHILD, true, 2]]);
    expect(r.body.byDay).toHaveLength(11);
    expect(r.body.byDay[0]).toEqual({ day: ten, received: 1, completed: 0, late: 0 });
    const childOnly = await call('giamsat', 'GET', `/reports/overview?agencyCode=${CHILD}`);
    expect(childOnly.body).toMatchObject({ received: 2, completed: 1, onTime: 1, agency: { code: CHILD }, scope: { code: h.agencyCode } });
    // The lists the rows link to: the agency alone, or with its subtree (tree=1).
    expect((await call('giamsat', 'GET', `/dossiers?agencyCode=${h.agencyCode}&from=${ten}`)).body.total).toBe(7);
    expect((await call('giamsat', 'GET', `/dossiers?agencyCode=${h.agencyCode}&tree=1&from=${ten}`)).body.total).toBe(9);
    const child = await call('gs_con', 'GET', '/reports/overview');
    expect(child.body).toMatchObject({ received: 2, completed: 1, onTime: 1, overdueNow: 0, scope: { code: CHILD } });
    expect(child.body.byAgency.map((a: { agencyCode: string }) => a.agencyCode)).toEqual([CHILD]);
    expectRefusal(await call('gs_con', 'GET', `/reports/overview?agencyCode=${h.agencyCode}`), 404, 'not_found', 'agencyCode');
    expectRefusal(await call('giamsat', 'GET', `/reports/overview?agencyCode=${SIBLING}`), 404, 'not_found', 'agencyCode');
    expect((await call('gs_khac', 'GET', '/reports/overview')).body).toMatchObject({ received: 1, completed: 1 });
    expectRefusal(await call('canbo', 'GET', '/reports/overview'), 403, 'forbidden');
    expectRefusal(await call(null, 'GET', '/reports/overview'), 401, 'unauthenticated');
    expectRefusal(await call('giamsat', 'GET', '/reports/overview?period=nam'), 400, 'validation', 'period');
    expectRefusal(await call('giamsat', 'GET', `/reports/overview?from=${today}&to=${yesterday}`), 400, 'validation', 'to');
    expectRefusal(await call('giamsat', 'GET', '/reports/overview?from=2024-01-01&to=2026-01-01'), 400, 'validation', 'to');
    expectRefusal(await call('giamsat', 'GET', '/reports/overview?from=31/02/2026'), 400, 'validation', 'from');
  });

  it('the screen: figures, SVG charts, tables; each number links to the list that counts the same', async () => {
    const b = await loginStaff(h.baseUrl, 'giamsat');
    const page = await b.get('/tong-quan');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Tổng quan');
    for (const chart of ['status', 'by-day', 'by-agency']) expect(page.html).toMatch(new RegExp(`data-chart="${chart}"><svg[^>]*xmlns="http://www.w3.org/2000/svg"`));
    // No inline style for the CSP (style-src 'self') to block: fonts as presentation attributes.
    expect(page.html).not.toMatch(/<style|\sstyle=/);
    expect(page.html).toMatch(/<text [^>]*font-size="12px"/);
    expect(page.html).toContain('Hoàn thành quá hạn');
    const figure = (key: string) => new RegExp(`data-figure="${key}"><a href="([^"]+)">(\\d+)</a>`).exec(page.html)!;
    for (const [key, n] of [['received', 8], ['completed', 3], ['onTime', 2], ['late', 1], ['returned', 1], ['cancelled', 1], ['overdueNow', 2]] as const) {
      const m = figure(key);
      expect(m, key).not.toBeNull();
      expect(Number(m[2]), key).toBe(n);
      const list = await b.get(m[1].replace(/&amp;/g, '&'));
      expect(list.status, m[1]).toBe(200);
      expect(list.html, `${key}: ${m[1]}`).toContain(`Tìm thấy ${n} kết quả`);
    }
    expect(page.html).toContain(`${vnDateOfDay(yesterday)}</td><td>Chờ ký</td>`);
    expect(page.html).toContain('Quyền ký bản sao: Lâm Phước Thọ');
    const bad = await b.get('/tong-quan?period=custom&from=32/13/2026');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Từ ngày không hợp lệ');
    expect((await (await loginStaff(h.baseUrl, 'canbo')).get('/tong-quan')).status).toBe(403);
  });

  it('the figures the database keeps are exact: the same as counted again from the dossiers and their events, also after an agency moves', async () => {
    const kept = async () => ({
      counts: (await sql`select agency_code, day::text, status, n, on_time, late from dossier_counts where n <> 0 or on_time <> 0 or late <> 0 order by 1, 2, 3`.execute(h.db)).rows,
      times: (await sql`select agency_code, day::text, status, bucket, n from dossier_step_times where n <> 0 order by 1, 2, 3, 4`.execute(h.db)).rows,
    });
    const recounted = async () => {
      await sql`select rebuild_dossier_statistics()`.execute(h.db);
      return kept();
    };
    const before = await kept();
    expect(before.counts.length).toBeGreaterThan(3);
    expect(await recounted()).toEqual(before);
    // The child moves under the sibling: the parent's figures lose it, the sibling's gain it; and back.
    const move = async (parent: string) => { await h.db.updateTable('agencies').set({ parent_code: parent }).where('code', '=', CHILD).execute(); };
    await move(SIBLING);
    const moved = await kept();
    expect(await recounted()).toEqual(moved);
    expect((await call('gs_khac', 'GET', '/reports/overview')).body).toMatchObject({ received: 3, completed: 2 });
    expect((await call('giamsat', 'GET', '/reports/overview')).body).toMatchObject({ received: 6 });
    await move(h.agencyCode);
    expect(await kept()).toEqual(before);
    // The step times against the exact percentiles of the audit trail: within the histogram's 4.5 %.
    const exact = await sql<{ status: string; p50: number; n: number }>`select s.status, count(*)::int as n,
        percentile_disc(0.5) within group (order by s.seconds) as p50
      from dossiers d cross join lateral dossier_stays(d.code) s where d.agency_code in (${h.agencyCode}, ${CHILD}) group by s.status`.execute(h.db);
    // The histogram's buckets themselves: from a second to a year, each read back within 4.5 %.
    const samples = [1, 1.5, 7, 59, 61, 3599, 3601, 86_399, 90_061, 604_800, 2_600_000, 31_536_000];
    const buckets = await sql<{ s: number; b: number }>`select s, step_time_bucket(s) as b from unnest(${samples}::float8[]) s`.execute(h.db);
    for (const { s: secs, b } of buckets.rows) expect(Math.abs(bucketSeconds(b) - secs) / secs, `${secs} s`).toBeLessThan(0.045);
    expect(percentile([{ bucket: 0, n: 2 }, { bucket: 20, n: 1 }, { bucket: 40, n: 7 }], 10, 0.5)).toBe(Math.round(bucketSeconds(40)));
    expect(percentile([{ bucket: 0, n: 5 }, { bucket: 40, n: 5 }], 10, 0.5)).toBe(0);
    const o = (await call('giamsat', 'GET', '/reports/overview')).body;
    for (const e of exact.rows) {
      const step = o.steps.find((x: { status: string }) => x.status === e.status);
      expect(step.count, e.status).toBe(e.n);
      expect(Math.abs(step.medianSeconds - e.p50), `${e.status}: ${step.medianSeconds} vs ${e.p50}`).toBeLessThanOrEqual(Math.max(0.5, e.p50 * 0.045) + 0.5);
    }
  });

  it('concurrent changes in opposite directions on the same rows neither deadlock nor lose a count', async () => {
    const row = await h.db.selectFrom('dossiers').selectAll().where('code', '=', codes.waiting).executeTakeFirstOrThrow();
    const many = Array.from({ length: 40 }, (_, i) => `${codes.waiting}-P${i}`);
    await h.db.insertInto('dossiers').values(many.map((code, i) => ({ ...row, code, status: i % 2 ? 'returned' : 'awaiting_signature', snapshot: JSON.stringify(row.snapshot) }))).execute();
    await h.db.insertInto('dossier_events').values(many.map((code, i) => ({
      event_id: `${code}#1`, dossier_code: code, seq: 1, action: 'submit', actor: 'canbo', actor_name: 'Cán bộ', status: i % 2 ? 'returned' : 'awaiting_signature',
      note: null, at: new Date(), type: 'submitted' as const, payload: '{}',
    }))).execute();
    // Each as the read model writes it: the event, then the dossier's row; half one way, half the other, all at once.
    const results = await Promise.allSettled(many.map((code, i) => h.db.transaction().execute(async (tx) => {
      const status = i % 2 ? 'awaiting_signature' : 'returned';
      await tx.insertInto('dossier_events').values({ event_id: `${code}#2`, dossier_code: code, seq: 2, action: 'x', actor: 'lanhdao', actor_name: 'Lãnh đạo', status, note: null, at: new Date(), type: i % 2 ? 'resubmitted' : 'returned', payload: '{}' }).execute();
      await tx.updateTable('dossiers').set({ status }).where('code', '=', code).execute();
    })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const counts = (await sql`select agency_code, day::text, status, n, on_time, late from dossier_counts where n <> 0 order by 1, 2, 3`.execute(h.db)).rows;
    const times = (await sql`select agency_code, day::text, status, bucket, n from dossier_step_times where n <> 0 order by 1, 2, 3, 4`.execute(h.db)).rows;
    await sql`select rebuild_dossier_statistics()`.execute(h.db);
    expect((await sql`select agency_code, day::text, status, n, on_time, late from dossier_counts where n <> 0 order by 1, 2, 3`.execute(h.db)).rows).toEqual(counts);
    expect((await sql`select agency_code, day::text, status, bucket, n from dossier_step_times where n <> 0 order by 1, 2, 3, 4`.execute(h.db)).rows).toEqual(times);
    await h.db.deleteFrom('dossier_events').where('dossier_code', 'in', many).execute();
    await h.db.deleteFrom('dossiers').where('code', 'in', many).execute();
    await sql`select rebuild_dossier_statistics()`.execute(h.db);
  });

  it('Excel says the same, cell by cell', async () => {
    const x = await call('giamsat', 'GET', '/reports/overview.xlsx');
    expect(x.status).toBe(200);
    expect(x.headers.get('content-disposition')).toContain(`tong-quan-${h.agencyCode}-${today}-${today}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Tổng quan')!;
    const figures: Record<string, unknown> = {};
    ws.eachRow((row) => { figures[String(row.getCell(1).value)] = row.getCell(2).value; });
    expect(figures).toMatchObject({ 'Tiếp nhận': 8, 'Đang xử lý': 3, 'Hoàn thành': 3, 'Hoàn thành đúng hạn': 2, 'Hoàn thành quá hạn': 1, 'Bị trả lại': 1, 'Đã hủy': 1, 'Quá hạn chưa xử lý (hiện tại)': 2 });
    const agencies = wb.getWorksheet('Theo đơn vị')!;
    expect(agencies.getRow(1).values).toEqual([undefined, 'Cơ quan, đơn vị', 'Mã', 'Tiếp nhận', 'Đang xử lý', 'Hoàn thành', 'Đúng hạn', 'Quá hạn', 'Bị trả lại', 'Đã hủy', 'Quá hạn chưa xử lý']);
    const child = [2, 3].map((i) => agencies.getRow(i).values as unknown[]).find((v) => v[2] === CHILD)!;
    expect(child.slice(3)).toEqual([2, 1, 1, 1, 0, 0, 0, 0]);
    expect(wb.getWorksheet('Quá hạn')!.getRow(3).getCell(1).value).toBe(codes.overdue);
  });
});

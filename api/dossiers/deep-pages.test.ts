// The lists' counts and deep pages at scale (issue 12) are exact: "Theo dõi hồ sơ" counts from the figures the
// database keeps and finds a deep page through them (or from the end) instead of skipping rows; every page and every
// total must be what a plain reading of all the rows gives. 12,000 dossiers over a district with two communes, every
// status, three receipt days each hour apart, several on the same instant (the code breaks the tie), late and on
// time; compared, page by page past the deep threshold, with the rows sorted here in JavaScript.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DossierStatus } from '../../domain/dossier.js';
import type { Actor } from '../../domain/types.js';
import { vnIsoDate } from '../../domain/vn-time.js';
import { createDb, migrateToLatest, type Db } from '../../lib/db.js';
import { createTestDatabase } from '../../lib/testing/database.js';
import { COUNT_CAP, DEEP_OFFSET } from './queries.js';
import { DossierService, type ListFilter } from './service.js';

let db: Db;
let dropDb: (() => Promise<void>) | undefined;
let service: DossierService;
const N = 12_000;
const PAGE = 50;
const STATUSES: DossierStatus[] = ['awaiting_signature', 'awaiting_seal', 'returned', 'completed', 'completed', 'completed', 'cancelled'];
type Row = { code: string; agency_code: string; status: string; created_at: Date; due_date: string; completed_at: Date | null; applicant_kind: string };
let rows: Row[] = [];

beforeAll(async () => {
  const { url, drop } = await createTestDatabase(inject('pgAdminUrl'), `t_deep_${crypto.randomBytes(4).toString('hex')}`);
  dropDb = drop;
  db = createDb(url, 4);
  await migrateToLatest(db);
  await db.insertInto('agencies').values([
    { code: 'H1', name: 'Huyện', portal_code: 'GH1' },
    { code: 'X1', name: 'Xã 1', portal_code: 'GX1', parent_code: 'H1' }, { code: 'X2', name: 'Xã 2', portal_code: 'GX2', parent_code: 'H1' },
  ]).execute();
  // Through the triggers, as the read model writes them: the kept figures follow row by row. The rows start at the
  // Vietnam midnight three days ago (not "now minus three days", which late in a Vietnam day left that day almost empty)
  // and span 50 hours, so each day probed holds hundreds and all are in the past.
  const start = new Date(`${day(-3)}T00:00:00+07:00`);
  await sql`insert into dossiers (code, agency_code, status, applicant_kind, applicant_name, document_type_code, document_type_name, copies, page_count, fee,
      created_by, created_at, updated_at, due_date, completed_at, snapshot)
    select 'D' || lpad(i::text, 5, '0'), (array['H1','X1','X2'])[1 + i % 3], (${sql.raw(`array[${STATUSES.map((s) => `'${s}'`).join(',')}]`)})[1 + i % 7],
      (array['citizen','business','no_account'])[1 + (i / 5) % 3], 'Người ' || i, 'GKS', 'Giấy khai sinh', 1, 1, 2000, 'canbo',
      t.at, t.at, vn_day(t.at) + 1, case when (array[${sql.raw(STATUSES.map((s) => `'${s}'`).join(','))}])[1 + i % 7] = 'completed' then t.at + ((i % 3) || ' days')::interval end, '{}'
    from generate_series(1, ${N}) i, lateral (select ${start}::timestamptz + ((i / 3) * interval '1 minute') as at) t`.execute(db);
  rows = await db.selectFrom('dossiers').select(['code', 'agency_code', 'status', 'created_at', 'due_date', 'completed_at', 'applicant_kind']).execute() as Row[];
  service = new DossierService(db, undefined as never, undefined as never);
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await dropDb?.();
});

const vnDay = (d: Date) => vnIsoDate(d);
const late = (r: Row) => r.status === 'completed' && r.completed_at !== null && vnDay(r.completed_at) > r.due_date;
const onTime = (r: Row) => r.status === 'completed' && r.completed_at !== null && vnDay(r.completed_at) <= r.due_date;
/** The list as a plain reading of every row gives it. */
function expected(agencies: string[], f: ListFilter) {
  const kept = rows.filter((r) => agencies.includes(r.agency_code)
    && (!f.statuses?.length || f.statuses.includes(r.status as DossierStatus))
    && (!f.applicantKind || r.applicant_kind === f.applicantKind) && (!f.code || r.code.toLowerCase().includes(f.code.toLowerCase()))
    && (!f.from || vnDay(r.created_at) >= f.from) && (!f.to || vnDay(r.created_at) <= f.to)
    && (!f.timeliness || (f.timeliness === 'late' ? late(r) : onTime(r))));
  const sign = f.sort === 'oldest' ? 1 : -1;
  kept.sort((a, b) => (a.created_at.getTime() - b.created_at.getTime()) * sign || (a.code < b.code ? -1 : 1));
  return kept;
}

const supervisor: Actor = { username: 'gs', fullName: 'GS', agencyCode: 'H1', roles: ['supervisor'] };
const staff: Actor = { username: 'cb', fullName: 'CB', agencyCode: 'H1', roles: ['creator'] };
const day = (offset: number) => vnIsoDate(new Date(Date.now() + offset * 86_400_000));
const cases: [string, Actor, ListFilter, string[]][] = [
  ['the supervisor, all, newest first', supervisor, { sort: 'newest' }, ['H1', 'X1', 'X2']],
  ['the supervisor, all, oldest first', supervisor, { sort: 'oldest' }, ['H1', 'X1', 'X2']],
  ['the supervisor, completed or returned, one day', supervisor, { sort: 'newest', statuses: ['completed', 'returned'], from: day(-3), to: day(-3) }, ['H1', 'X1', 'X2']],
  ['the supervisor, late', supervisor, { sort: 'newest', timeliness: 'late' }, ['H1', 'X1', 'X2']],
  ['the supervisor, the district alone', supervisor, { sort: 'newest', agencyCode: 'H1' }, ['H1']],
  ['the supervisor, a commune with its subtree, on time', supervisor, { sort: 'oldest', agencyCode: 'X1', withSubtree: true, timeliness: 'on_time' }, ['X1']],
  ['the district\'s staff (its own dossiers)', staff, { sort: 'newest' }, ['H1']],
  ['a part of the code (counted; the back half from the end)', supervisor, { sort: 'newest', code: 'd0' }, ['H1', 'X1', 'X2']],
  ['businesses, oldest first (counted)', supervisor, { sort: 'oldest', applicantKind: 'business' }, ['H1', 'X1', 'X2']],
  ['a code search matching every dossier (counted up to the cap)', supervisor, { sort: 'newest', code: 'd' }, ['H1', 'X1', 'X2']],
];

describe('lists at depth', () => {
  it.each(cases)('%s: the total and every page as the rows give them', async (_name, who, f, agencies) => {
    const matching = expected(agencies, f);
    // A search the kept figures do not count is counted up to the cap, and pages stop there.
    const capped = Boolean(f.code || f.applicantKind) && matching.length > COUNT_CAP;
    const all = capped ? matching.slice(0, COUNT_CAP) : matching;
    const first = await service.list(who, { ...f, pageSize: PAGE });
    expect([first.total, first.capped]).toEqual([all.length, capped]);
    const pages = Math.ceil(all.length / PAGE);
    // Before the deep threshold, across it, in the back half, the last page, and one past the end.
    const probe = [1, DEEP_OFFSET / PAGE, DEEP_OFFSET / PAGE + 1, Math.floor(pages / 2) + 1, pages - 1, pages, pages + 1].filter((p) => p >= 1);
    for (const page of probe) {
      const r = await service.list(who, { ...f, page, pageSize: PAGE });
      expect(r.items.map((d) => d.code), `page ${page} of ${pages}`).toEqual(all.slice((page - 1) * PAGE, page * PAGE).map((d) => d.code));
    }
    expect(all.length).toBeGreaterThan(100);
  });

  it('a broad search says it is capped; the same search narrowed is counted exactly', async () => {
    expect(expected(['H1', 'X1', 'X2'], { sort: 'newest', code: 'd' }).length).toBeGreaterThan(COUNT_CAP);
    const broad = await service.list(supervisor, { sort: 'newest', code: 'd', pageSize: PAGE });
    expect([broad.total, broad.capped]).toEqual([COUNT_CAP, true]);
    const narrow = await service.list(supervisor, { sort: 'newest', code: 'd1', pageSize: PAGE });
    expect([narrow.total, narrow.capped]).toEqual([expected(['H1', 'X1', 'X2'], { sort: 'newest', code: 'd1' }).length, false]);
  });
});

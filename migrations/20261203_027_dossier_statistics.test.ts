// The figures the database keeps for Tổng quan: dossiers and events already there when the migration runs are
// counted (per agency with everything above it, day of receipt in Vietnam time, status; on time and late; the
// finished stays in a histogram); from then on the triggers keep them; down removes them all.
import { sql, type Kysely, type Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseMigratedTo } from '../lib/testing/database.js';

let db: Kysely<any>;
let migrator: () => Migrator;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ db, migrator, close } = await databaseMigratedTo(inject('pgAdminUrl'), '20261203_026_audit_actor_kind'));
});
afterAll(async () => { await close?.(); });

const dossier = (code: string, agency: string, status: string, createdAt: string, extra: object = {}) => ({
  code, agency_code: agency, status, applicant_kind: 'citizen', applicant_name: 'A', document_type_code: 'GKS', document_type_name: 'Giấy khai sinh',
  copies: 1, page_count: 1, fee: 2000, created_by: 'canbo', created_at: createdAt, updated_at: createdAt, snapshot: '{}', ...extra,
});
const event = (code: string, seq: number, status: string, at: string) => ({
  event_id: `${code}#${seq}`, dossier_code: code, seq, action: 'x', actor: 'canbo', actor_name: 'Cán bộ', status, at, type: 'submitted', payload: '{}',
});
const counts = async () => (await sql`select agency_code, day::text, status, n, on_time, late from dossier_counts where n <> 0 order by 1, 2, 3`.execute(db)).rows;

describe('20261203_027_dossier_statistics', () => {
  it('counts what is there, keeps counting, and goes away on down', async () => {
    await db.insertInto('agencies').values([{ code: 'P', name: 'Sở', portal_code: 'GP' }, { code: 'H', name: 'Huyện', portal_code: 'GH', parent_code: 'P' }]).execute();
    // Received at 23:30 UTC on 1 December: 2 December in Vietnam. Sealed on the 3rd (Vietnam), due the 2nd: late.
    await db.insertInto('dossiers').values([
      dossier('D1', 'H', 'completed', '2026-12-01T23:30:00Z', { completed_at: '2026-12-03T02:00:00Z', due_date: '2026-12-02' }),
      dossier('D2', 'H', 'awaiting_signature', '2026-12-02T01:00:00Z'),
      dossier('D3', 'P', 'draft', '2026-12-02T01:00:00Z'),
    ]).execute();
    await db.insertInto('dossier_events').values([
      event('D1', 1, 'awaiting_signature', '2026-12-01T23:30:00Z'), event('D1', 2, 'awaiting_signature', '2026-12-01T23:40:00Z'),
      event('D1', 3, 'awaiting_seal', '2026-12-02T00:30:00Z'), event('D1', 4, 'completed', '2026-12-03T02:00:00Z'),
      event('D2', 1, 'awaiting_signature', '2026-12-02T01:00:00Z'),
    ]).execute();

    const { error } = await migrator().migrateTo('20261203_027_dossier_statistics');
    expect(error).toBeUndefined();
    expect(await counts()).toEqual([
      { agency_code: 'H', day: '2026-12-02', status: 'awaiting_signature', n: 1, on_time: 0, late: 0 },
      { agency_code: 'H', day: '2026-12-02', status: 'completed', n: 1, on_time: 0, late: 1 },
      { agency_code: 'P', day: '2026-12-02', status: 'awaiting_signature', n: 1, on_time: 0, late: 0 },
      { agency_code: 'P', day: '2026-12-02', status: 'completed', n: 1, on_time: 0, late: 1 },
    ]);
    // D1 waited an hour for the signature (the event between changed nothing) and 25.5 hours for the seal.
    const times = (await sql<{ status: string; bucket: number; n: number }>`select status, bucket, n from dossier_step_times where agency_code = 'P' order by status`.execute(db)).rows;
    const bucket = async (s: number) => (await sql<{ b: number }>`select step_time_bucket(${s}) as b`.execute(db)).rows[0].b;
    expect(times).toEqual([{ status: 'awaiting_seal', bucket: await bucket(25.5 * 3600), n: 1 }, { status: 'awaiting_signature', bucket: await bucket(3600), n: 1 }]);

    // From now on the triggers: D2 signed; the draft submitted.
    await db.insertInto('dossier_events').values(event('D2', 2, 'awaiting_seal', '2026-12-02T03:00:00Z')).execute();
    await db.updateTable('dossiers').set({ status: 'awaiting_seal' }).where('code', '=', 'D2').execute();
    await db.updateTable('dossiers').set({ status: 'awaiting_signature' }).where('code', '=', 'D3').execute();
    expect((await counts()).filter((r: any) => r.agency_code === 'P')).toEqual([
      { agency_code: 'P', day: '2026-12-02', status: 'awaiting_seal', n: 1, on_time: 0, late: 0 },
      { agency_code: 'P', day: '2026-12-02', status: 'awaiting_signature', n: 1, on_time: 0, late: 0 },
      { agency_code: 'P', day: '2026-12-02', status: 'completed', n: 1, on_time: 0, late: 1 },
    ]);
    expect((await sql<{ n: number }>`select sum(n)::int as n from dossier_step_times where agency_code = 'H' and status = 'awaiting_signature'`.execute(db)).rows[0].n).toBe(2);

    const down = await migrator().migrateDown();
    expect(down.error).toBeUndefined();
    const left = await sql`select count(*)::int as n from pg_tables where tablename in ('dossier_counts', 'dossier_step_times')`.execute(db);
    expect(left.rows).toEqual([{ n: 0 }]);
    await db.updateTable('dossiers').set({ status: 'completed' }).where('code', '=', 'D2').execute(); // no trigger left to fail
  });
});

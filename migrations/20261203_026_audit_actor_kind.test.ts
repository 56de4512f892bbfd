// The audit's actor may be a citizen: rows already there read as staff, a portal account acts without a staff
// account, an unknown kind is refused, and down brings the foreign key to users back.
import { type Kysely, type Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseMigratedTo } from '../lib/testing/database.js';

let db: Kysely<any>;
let migrator: () => Migrator;
let close: (() => Promise<void>) | undefined;
const event = (actor: string, extra: object = {}) => ({ actor, agency_code: 'A1', entity: 'agency', entity_id: 'A1', action: 'updated', ...extra });

beforeAll(async () => {
  ({ db, migrator, close } = await databaseMigratedTo(inject('pgAdminUrl'), '20261203_025_dossier_completed_at'));
});
afterAll(async () => { await close?.(); });

describe('20261203_026_audit_actor_kind', () => {
  it('keeps the old rows as staff, takes a citizen actor, refuses another kind; down restores the foreign key', async () => {
    await db.insertInto('agencies').values({ code: 'A1', name: 'UBND Xã A', portal_code: 'G1' }).execute();
    await db.insertInto('users').values({ username: 'quantri', full_name: 'Quản trị', password_hash: 'x', agency_code: 'A1' }).execute();
    await db.insertInto('admin_events').values(event('quantri')).execute();
    await expect(db.insertInto('admin_events').values(event('congdan')).execute()).rejects.toThrow(/foreign key/);

    const { error } = await migrator().migrateTo('20261203_026_audit_actor_kind');
    expect(error).toBeUndefined();
    expect(await db.selectFrom('admin_events').select(['actor', 'actor_kind']).execute()).toEqual([{ actor: 'quantri', actor_kind: 'staff' }]);
    await db.insertInto('admin_events').values(event('congdan', { actor_kind: 'citizen' })).execute();
    await expect(db.insertInto('admin_events').values(event('x', { actor_kind: 'robot' })).execute()).rejects.toThrow(/check constraint/);

    await db.deleteFrom('admin_events').where('actor_kind', '=', 'citizen').execute();
    const down = await migrator().migrateDown();
    expect(down.error).toBeUndefined();
    await expect(db.insertInto('admin_events').values(event('congdan')).execute()).rejects.toThrow(/foreign key/);
  });
});

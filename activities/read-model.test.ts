// recordEvent writes the typed event with the read model, once; a task queued by a worker from before typed
// events (no `event`, an action and a note) is still recorded, typed from the dossier's state.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, migrateToLatest, type Db } from '../lib/db.js';
import { createTestDatabase } from '../lib/testing/database.js';
import type { DossierView } from '../domain/dossier.js';
import { readModelActivities } from './read-model.js';

let db: Db;
let dropDb: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const { url, drop } = await createTestDatabase(inject('pgAdminUrl'), `t_rm_${crypto.randomBytes(4).toString('hex')}`);
  dropDb = drop;
  db = createDb(url, 2);
  await migrateToLatest(db);
  await db.insertInto('agencies').values({ code: 'A1', name: 'UBND Xã A', portal_code: 'G1' }).execute();
});
afterAll(async () => {
  await db?.destroy();
  await dropDb?.();
});

const state = (code: string, over: Partial<DossierView> = {}): DossierView => ({
  code, agencyCode: 'A1', agencyName: 'UBND Xã A', copies: 1, pageCount: 2, fee: 4000, scan: { sha256: 'a'.repeat(64), size: 9 },
  applicant: { kind: 'no_account', fullName: 'Trần Văn A', idNumber: null, email: 'a@example.vn', phone: null, accountUsername: null },
  documentType: { code: 'KHAC', name: 'Giấy tờ khác' }, appointmentCode: null, createdBy: { username: 'canbo', fullName: 'Cán bộ' },
  createdAt: '2026-12-01T02:00:00.000Z', status: 'returned', dueDate: '2026-12-03', returnReason: 'Bản scan không rõ', cancelReason: null,
  signedBy: null, sealedBy: null, signedPdf: null, sealedPdf: null, certificationNumber: null, registerBook: null, delivery: null, history: [],
  ...over,
});

describe('recordEvent', () => {
  it('writes the typed event, its action and note, once', async () => {
    const { recordEvent } = readModelActivities({ db });
    const input = {
      eventId: 'D1#2', seq: 2, event: { type: 'returned', payload: { reason: 'Bản scan không rõ' } } as const,
      actor: 'lanhdao', actorName: 'Lãnh đạo', at: '2026-12-01T03:00:00.000Z', state: state('D1'),
    };
    await recordEvent(input);
    await recordEvent(input); // retried
    const rows = await db.selectFrom('dossier_events').select(['action', 'type', 'payload', 'note']).where('dossier_code', '=', 'D1').execute();
    expect(rows).toEqual([{ action: 'returnToCreator', type: 'returned', payload: { reason: 'Bản scan không rõ' }, note: 'Bản scan không rõ' }]);
    expect((await db.selectFrom('dossiers').select('return_reason').where('code', '=', 'D1').executeTakeFirstOrThrow()).return_reason).toBe('Bản scan không rõ');
  });

  it('types a task queued by an older worker from the dossier state, keeping its note', async () => {
    const { recordEvent } = readModelActivities({ db });
    await recordEvent({
      eventId: 'D2#2', seq: 2, action: 'returnToCreator', note: 'Bản scan không rõ', actor: 'lanhdao', actorName: 'Lãnh đạo',
      at: '2026-12-01T03:00:00.000Z', state: state('D2'),
    });
    const row = await db.selectFrom('dossier_events').select(['action', 'type', 'payload', 'note']).where('dossier_code', '=', 'D2').executeTakeFirstOrThrow();
    expect(row).toEqual({ action: 'returnToCreator', type: 'returned', payload: { reason: 'Bản scan không rõ' }, note: 'Bản scan không rõ' });
  });
});

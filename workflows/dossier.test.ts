// The dossier workflow on a real Temporal dev server, with the real activities, PostgreSQL and PDF signing.
import { Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadedPdf } from '../lib/testing/files.js';
import { createHarness, makePdf, waitForDelivery, type Harness } from '../lib/testing/harness.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { dataConverterOf, fetchDecodedHistory } from '../lib/payload-codec.js';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/types.js';
import { dossierProgress, progressFromEvents } from '../api/dossiers/progress.js';
import { getStateQuery, returnToCreatorUpdate, sealUpdate, signUpdate, workflowIdFor } from './messages.js';
import crypto from 'node:crypto';

let h: Harness;
let canbo: Actor, lanhdao: Actor, vanthu: Actor;

async function newDossier(pages = 2) {
  return h.service.create(canbo, { applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, uploadedPdf(h, await makePdf(pages)), crypto.randomUUID());
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(() => null, (err) => err);
  expect(e, 'the action should have been refused').toBeInstanceOf(DomainError);
  return e as DomainError;
}

beforeAll(async () => {
  h = await createHarness({ web: false });
  [canbo, lanhdao, vanthu] = await Promise.all(['canbo', 'lanhdao', 'vanthu'].map((u) => h.actor(u)));
  await h.addAgency('000.00.99.X01', [{ username: 'lanhdao2', roles: ['signer'] }, { username: 'vanthu2', roles: ['sealer'] }]);
});
afterAll(async () => { await h?.close(); });

describe('dossier workflow', () => {
  it('runs submit → sign → seal → deliver, keeping the read model and audit trail in step', async () => {
    const d = await newDossier(3);
    expect(d.status).toBe('awaiting_signature');
    expect(d.fee).toBe(5000); // 2 × 2.000 + 1 × 1.000 (TT 226/2016)
    const signed = await h.service.act(lanhdao, d.code, 'sign', {}, 'k1');
    expect(signed.status).toBe('awaiting_seal');
    expect(signed.signedBy?.fullName).toBe('Lâm Phước Thọ');
    const book = await h.db.selectFrom('register_books').selectAll().executeTakeFirstOrThrow();
    const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, 'k2');
    expect(sealed.status).toBe('completed');
    expect(sealed.certificationNumber).toBe(`${book.current_number}/ĐT`);
    const requested = await h.service.act(vanthu, d.code, 'deliver', {}, 'k3');
    expect(requested.delivery?.status).toBe('pending'); // answered at once; the workflow sends
    const delivered = await waitForDelivery(h, vanthu, d.code);
    expect(delivered.delivery).toMatchObject({ status: 'sent', email: 'nguyenthithu@example.vn', portal: true, requests: 1 });

    const row = await h.db.selectFrom('dossiers').selectAll().where('code', '=', d.code).executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');
    expect(row.certification_number).toBe(sealed.certificationNumber);
    expect(row.delivered_at).not.toBeNull();
    const events = await h.db.selectFrom('dossier_events').select(['action', 'actor']).where('dossier_code', '=', d.code).orderBy('seq').execute();
    expect(events.map((e) => e.action)).toEqual(['submit', 'sign', 'seal', 'deliver', 'delivered']);
    const inbox = await h.db.selectFrom('portal_inbox').selectAll().where('dossier_code', '=', d.code).execute();
    expect(inbox).toHaveLength(1);
    expect(inbox[0].file_sha256).toBe(sealed.sealedPdf!.sha256);
    const mails = fs.readdirSync(path.join(h.config.dataDir, 'outbox'));
    expect(mails.length).toBe(1);
    // The workflow has finished: nothing more can happen to it.
    const result = await h.client.workflow.getHandle(workflowIdFor(d.code)).result();
    expect(result.status).toBe('completed');
    // The quick database steps ran in the workflow tasks (local activities, recorded as markers): no task of
    // their own went through Temporal; the signature, seal and delivery did.
    const history = await fetchDecodedHistory(h.client, workflowIdFor(d.code));
    const scheduled = history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toEqual(['signDossier', 'sealDossier', 'deliverDossier']);
    const local = history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!.data!.payloads![0].data!).toString()).activity_type);
    expect(local).toEqual(['recordEvent', 'recordEvent', 'allocateCertificationNumber', 'recordEvent', 'recordEvent', 'recordEvent']);
    // "Xem tiến trình" reads them from the markers as it read them from activity tasks: the number, in its book.
    const progress = (await dossierProgress(h.client, d.code)).map((s) => s.what);
    expect(progress).toContain(`Cấp số chứng thực ${sealed.certificationNumber} trong sổ ${book.name}`);
    expect(progress).toEqual(expect.arrayContaining(['Đã ký số bản sao, thêm trang lời chứng', 'Đã đóng dấu số của cơ quan', 'Kết thúc xử lý hồ sơ']));
    // RECORD_HISTORIES=1 writes this history for workflows/replay.test.ts.
    if (process.env.RECORD_HISTORIES === '1') fs.writeFileSync(path.resolve('workflows/histories/dossier-quick-steps-in-workflow-tasks.json'), `${historyToJSON(history)}\n`);
  });

  it('return with a reason, resubmit with a new scan, return again, cancel', async () => {
    const d = await newDossier(1);
    const e = await refusal(h.service.act(lanhdao, d.code, 'returnToCreator', { reason: '' }, 'r0'));
    expect(e.code).toBe('validation');
    const r = await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: 'Bản chính bị hư hỏng, cũ nát, không xác định được nội dung' }, 'r1');
    expect(r.status).toBe('returned');
    expect(r.returnReason).toContain('hư hỏng');
    const re = await h.service.act(canbo, d.code, 'resubmit', {}, 'r2', uploadedPdf(h, await makePdf(4)));
    expect(re.status).toBe('awaiting_signature');
    expect(re.pageCount).toBe(4);
    expect(re.fee).toBe(6000);
    expect(re.scan.sha256).not.toBe(d.scan.sha256);
    await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: 'Bản scan không rõ' }, 'r3');
    const c = await h.service.act(canbo, d.code, 'cancel', { reason: 'Người yêu cầu không bổ sung' }, 'r4');
    expect(c.status).toBe('cancelled');
    const after = await refusal(h.service.act(canbo, d.code, 'resubmit', {}, 'r5'));
    expect(after.code).toBe('wrong_state');
  });

  it('refuses the wrong role, the wrong agency and the wrong state, and changes nothing', async () => {
    const d = await newDossier();
    const before = await h.service.get(canbo, d.code);
    expect((await refusal(h.service.act(canbo, d.code, 'sign', {}, 'x1'))).code).toBe('forbidden');
    expect((await refusal(h.service.act(vanthu, d.code, 'seal', { registerBookId: 1 }, 'x2'))).code).toBe('wrong_state');
    const other = await h.actor('lanhdao2');
    expect((await refusal(h.service.act(other, d.code, 'sign', {}, 'x3'))).code).toBe('wrong_agency');
    // Even bypassing the server's read-model check, the workflow's own validator refuses another agency.
    const handle = h.client.workflow.getHandle(workflowIdFor(d.code));
    const direct = await handle.executeUpdate(signUpdate, { args: [{ actor: other }] }).then(() => null, (err) => err);
    expect(String(direct?.cause?.message)).toContain('đơn vị khác');
    expect((await refusal(h.service.act(canbo, d.code, 'cancel', { reason: 'thử hủy' }, 'x4'))).code).toBe('wrong_state');
    const after = await handle.query(getStateQuery);
    expect(after).toEqual(before);
  });

  it('a double click (same idempotency key) acts once', async () => {
    const d = await newDossier();
    const [a, b] = await Promise.all([
      h.service.act(lanhdao, d.code, 'sign', {}, 'same-key'),
      h.service.act(lanhdao, d.code, 'sign', {}, 'same-key'),
    ]);
    expect(a.status).toBe('awaiting_seal');
    expect(b.status).toBe('awaiting_seal');
    const again = await h.service.act(lanhdao, d.code, 'sign', {}, 'same-key');
    expect(again.signedPdf).toEqual(a.signedPdf);
    const events = await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', d.code).execute();
    expect(events.filter((e) => e.action === 'sign')).toHaveLength(1);
    // A second click with a fresh key is refused: the dossier has moved on.
    expect((await refusal(h.service.act(lanhdao, d.code, 'sign', {}, 'other-key'))).code).toBe('wrong_state');
  });

  it('creating twice with the same key gives one dossier', async () => {
    const key = crypto.randomUUID();
    const pdf = await makePdf(1);
    const [a, b] = await Promise.all([
      h.service.create(canbo, { applicantKind: 'no_account', email: 'a@example.vn', fullName: 'Trần <b>Văn</b> A', documentType: 'KHAC' }, uploadedPdf(h, pdf), key),
      h.service.create(canbo, { applicantKind: 'no_account', email: 'a@example.vn', fullName: 'Trần <b>Văn</b> A', documentType: 'KHAC' }, uploadedPdf(h, pdf), key),
    ]);
    expect(a.code).toBe(b.code);
    expect(a.applicant.fullName).toBe('Trần <b>Văn</b> A');
  });

  it('shows the last recorded state once Temporal no longer holds the finished workflow', async () => {
    const d = await newDossier();
    await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: 'Bản scan không rõ' }, 'g1');
    const done = await h.service.act(canbo, d.code, 'cancel', { reason: 'Hủy theo yêu cầu' }, 'g2');
    await h.client.workflow.getHandle(workflowIdFor(d.code)).result();
    // A dossier past retention: its read-model row and audit trail remain, its workflow is gone. (Deleting a
    // workflow on the dev server is asynchronous and slow, so the row is copied under a code with no workflow.)
    const gone = `${d.code}-R`;
    const row = await h.db.selectFrom('dossiers').selectAll().where('code', '=', d.code).executeTakeFirstOrThrow();
    await h.db.insertInto('dossiers').values({ ...row, code: gone, snapshot: JSON.stringify({ ...done, code: gone }) }).execute();
    const events = await h.db.selectFrom('dossier_events').selectAll().where('dossier_code', '=', d.code).execute();
    await h.db.insertInto('dossier_events').values(events.map((e) => ({ ...e, event_id: `${e.event_id}-R`, dossier_code: gone }))).execute();

    expect(await h.service.get(canbo, gone)).toEqual({ ...done, code: gone });
    // "Xem tiến trình" then reads the audit trail instead of the history.
    const missing = await dossierProgress(h.client, gone).then(() => null, (e) => e as Error);
    expect(missing?.message).toMatch(/not found/i);
    const steps = progressFromEvents(await h.service.events(canbo, gone));
    expect(steps.map((s) => s.what)).toEqual(['Tạo hồ sơ và trình lãnh đạo ký', 'Trả lại hồ sơ cho cán bộ tư pháp. Lý do: Bản scan không rõ', 'Hủy hồ sơ. Lý do: Hủy theo yêu cầu']);
    expect((await refusal(h.service.act(canbo, gone, 'resubmit', {}, 'g3'))).code).toBe('wrong_state');
  });

  it('records each step as a typed audit event, with its payload', async () => {
    const d = await newDossier();
    await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: ' Bản scan không rõ ' }, crypto.randomUUID());
    await h.service.act(canbo, d.code, 'resubmit', {}, crypto.randomUUID());
    await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: 'Sai loại giấy tờ' }, crypto.randomUUID());
    await h.service.act(canbo, d.code, 'cancel', { reason: 'Hủy theo yêu cầu' }, crypto.randomUUID());
    const events = await h.db.selectFrom('dossier_events').select(['action', 'type', 'payload', 'note']).where('dossier_code', '=', d.code).orderBy('seq').execute();
    expect(events).toEqual([
      { action: 'submit', type: 'submitted', payload: { dueDate: d.dueDate }, note: null },
      { action: 'returnToCreator', type: 'returned', payload: { reason: 'Bản scan không rõ' }, note: 'Bản scan không rõ' },
      { action: 'resubmit', type: 'resubmitted', payload: { scanReplaced: false, pageCount: 2, fee: d.fee, note: null }, note: null },
      { action: 'returnToCreator', type: 'returned', payload: { reason: 'Sai loại giấy tờ' }, note: 'Sai loại giấy tờ' },
      { action: 'cancel', type: 'cancelled', payload: { reason: 'Hủy theo yêu cầu' }, note: 'Hủy theo yêu cầu' },
    ]);
  });

  // Bad data that reaches the workflow whatever the HTTP edge checks: the read model or the register refuses
  // it (PostgreSQL data exceptions), the action is refused at once and rolled back, and the dossier is not
  // left busy: the next action works.
  const directly = <T>(p: Promise<T>) => Promise.race([
    p.then(() => null, (err) => err as { cause?: { type?: string; message?: string } }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the update did not answer within 20 s')), 20_000)),
  ]);

  it('refuses a return reason with a NUL byte, changes nothing and stays usable', async () => {
    const d = await newDossier(1);
    const handle = h.client.workflow.getHandle(workflowIdFor(d.code));
    const before = await handle.query(getStateQuery);
    const e = await directly(handle.executeUpdate(returnToCreatorUpdate, { args: [{ actor: lanhdao, reason: 'Bản scan\u0000 không rõ' }] }));
    expect(e?.cause?.type).toBe('validation');
    expect(e?.cause?.message).toMatch(/ký tự không hợp lệ/);
    expect(await handle.query(getStateQuery)).toEqual(before);
    const signed = await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
    expect(signed.status).toBe('awaiting_seal');
    const events = await h.db.selectFrom('dossier_events').select('action').where('dossier_code', '=', d.code).orderBy('seq').execute();
    expect(events.map((x) => x.action)).toEqual(['submit', 'sign']);
  });

  it('refuses a register book id beyond PostgreSQL integers (2147483648) and seals with a real book after', async () => {
    const d = await newDossier(1);
    await h.service.act(lanhdao, d.code, 'sign', {}, crypto.randomUUID());
    const handle = h.client.workflow.getHandle(workflowIdFor(d.code));
    const e = await directly(handle.executeUpdate(sealUpdate, { args: [{ actor: vanthu, registerBookId: 2147483648 }] }));
    expect(e?.cause?.type).toBe('validation');
    // The seal validator refuses it before any activity runs (and the activity wrapper would, had it got through:
    // activities/index.test.ts).
    expect(e?.cause?.message).toMatch(/sổ chứng thực|vượt quá giới hạn/);
    expect((await handle.query(getStateQuery)).status).toBe('awaiting_seal');
    const book = await h.db.selectFrom('register_books').select('id').where('agency_code', '=', h.agencyCode).orderBy('id').executeTakeFirstOrThrow();
    const sealed = await h.service.act(vanthu, d.code, 'seal', { registerBookId: book.id }, crypto.randomUUID());
    expect(sealed.status).toBe('completed');
  });

  it('replays its own history deterministically', async () => {
    const d = await newDossier();
    await h.service.act(lanhdao, d.code, 'returnToCreator', { reason: 'Bản scan không rõ' }, 'p1');
    await h.service.act(canbo, d.code, 'cancel', { reason: 'Hủy theo yêu cầu' }, 'p2');
    // As Temporal holds it, encrypted: the replay decodes with the same keys (lib/payload-codec.ts).
    const history = await h.client.workflow.getHandle(workflowIdFor(d.code)).fetchHistory();
    await Worker.runReplayHistory({ workflowsPath: path.resolve('workflows/index.ts'), dataConverter: dataConverterOf(h.config) }, history, workflowIdFor(d.code));
  });
});

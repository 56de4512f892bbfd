// The dossier service used by both the screens and the JSON API: creates dossiers (one workflow each),
// forwards human actions as workflow updates, and reads lists from the read model.
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { sql } from 'kysely';
import crypto from 'node:crypto';
import { inspectScanOffThread } from '../activities/pdf/pool.js';
import { ScanError } from '../activities/pdf/scan.js';
import type { FileStorage } from '../activities/storage.js';
import { vnDayStart, vnDdMmYy } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import { dossierFee } from '../domain/fee.js';
import { idNumberError, isCccd, isCmnd, isEmail, isMst, isPhone, normalizePhone } from '../domain/ids.js';
import { checkAction, type Action } from '../domain/rules.js';
import type { Actor, Applicant, ApplicantKind, DossierInput, DossierStatus, FileRef, WorkflowOptions } from '../domain/types.js';
import { containsPattern, type Db } from '../lib/db.js';
import {
  cancelUpdate, deliverUpdate, getStateQuery, resendUpdate, resubmitUpdate, returnToCreatorUpdate, sealUpdate, signUpdate, submitUpdate,
  TASK_QUEUE, workflowIdFor, type DossierView,
} from '../workflows/messages.js';
import { discard, type UploadedFile } from './upload.js';
import { updateError, WorkflowGone } from './workflow-errors.js';

export interface CreateDossierInput {
  applicantKind: unknown;
  idNumber?: unknown;
  fullName?: unknown;
  email?: unknown;
  phone?: unknown;
  documentType: unknown;
  copies?: unknown;
  appointmentCode?: unknown;
}

export interface ListFilter {
  statuses?: DossierStatus[];
  /** The seal keeper's queue: awaiting the seal, or sealed and not yet delivered. */
  sealerQueue?: boolean;
  applicantKind?: string;
  code?: string;
  q?: string;
  from?: string | null; // yyyy-MM-dd
  to?: string | null;
  page?: number;
  pageSize?: number;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export class DossierService {
  constructor(
    private readonly db: Db,
    private readonly temporal: Client,
    private readonly storage: FileStorage,
    private readonly taskQueue = TASK_QUEUE,
    private readonly workflowOptions?: WorkflowOptions,
  ) {}

  /** Finds a portal account by CMND/CCCD/MST (the "TÌM KIẾM TÀI KHOẢN" button). */
  async findAccount(idNumber: string) {
    const id = idNumber.trim();
    if (!isCmnd(id) && !isCccd(id) && !isMst(id)) {
      throw new DomainError('validation', 'Số CMND (9 chữ số), CCCD (12 chữ số) hoặc MST (10 chữ số, có chữ số kiểm tra) không hợp lệ.', 'idNumber');
    }
    return this.db.selectFrom('portal_accounts').select(['username', 'kind', 'full_name', 'id_number', 'email', 'phone']).where('id_number', '=', id).executeTakeFirst();
  }

  async documentTypes() {
    return this.db.selectFrom('document_types').select(['code', 'name']).orderBy('sort').orderBy('name').execute();
  }

  /** Validates the applicant; every refusal names the field in Vietnamese. */
  async resolveApplicant(input: CreateDossierInput): Promise<Applicant> {
    const kind = str(input.applicantKind) as ApplicantKind;
    if (!['citizen', 'business', 'no_account'].includes(kind)) throw new DomainError('validation', 'Vui lòng chọn đối tượng đăng ký.', 'applicantKind');
    const phone = str(input.phone);
    if (phone && !isPhone(phone)) throw new DomainError('validation', 'Số điện thoại không hợp lệ (ví dụ 0942077843).', 'phone');
    const email = str(input.email);
    if (email && !isEmail(email)) throw new DomainError('validation', 'Địa chỉ email không hợp lệ.', 'email');
    const fullName = str(input.fullName).normalize('NFC');
    if (fullName.length > 200) throw new DomainError('validation', 'Tên đối tượng quá dài (tối đa 200 ký tự).', 'fullName');
    const idNumber = str(input.idNumber);

    if (kind === 'no_account') {
      if (!email) throw new DomainError('validation', 'Đối tượng không có tài khoản DVCQG: vui lòng nhập email để nhận bản sao điện tử.', 'email');
      if (idNumber) {
        const err = idNumberError(idNumber, isMst(idNumber) || /^\d{10}(-\d{3})?$/.test(idNumber) ? 'business' : 'citizen');
        if (err) throw new DomainError('validation', err, 'idNumber');
      }
      return { kind, fullName: fullName || email, idNumber: idNumber || null, email, phone: phone ? normalizePhone(phone) : null, accountUsername: null };
    }
    if (!idNumber) throw new DomainError('validation', 'Vui lòng nhập CMND/CCCD (đối với công dân) hoặc MST (đối với doanh nghiệp).', 'idNumber');
    const err = idNumberError(idNumber, kind);
    if (err) throw new DomainError('validation', err, 'idNumber');
    const account = await this.db.selectFrom('portal_accounts').selectAll().where('id_number', '=', idNumber).executeTakeFirst();
    if (!account) throw new DomainError('validation', `Không tìm thấy tài khoản DVCQG có số ${idNumber}. Chọn "Đối tượng không có tài khoản DVCQG" và nhập email.`, 'idNumber');
    if (account.kind !== kind) throw new DomainError('validation', `Tài khoản có số ${idNumber} là tài khoản ${account.kind === 'citizen' ? 'công dân' : 'doanh nghiệp'}.`, 'applicantKind');
    return {
      kind, fullName: account.full_name, idNumber: account.id_number, email: email || account.email,
      phone: phone ? normalizePhone(phone) : account.phone, accountUsername: account.username,
    };
  }

  /** Checks the uploaded scan by content and moves it into storage. */
  async acceptScan(file: UploadedFile | null): Promise<{ scan: FileRef; pageCount: number }> {
    if (!file) throw new DomainError('validation', 'Vui lòng đính kèm bản chính (scan) định dạng .pdf.', 'scan');
    try {
      const { pages } = await inspectScanOffThread({ path: file.tmpPath }); // untrusted: parsed in the PDF pool
      const scan = await this.storage.adopt(file.tmpPath, { sha256: file.sha256, size: file.size });
      return { scan, pageCount: pages };
    } catch (e) {
      await discard(file);
      if (e instanceof ScanError) throw new DomainError('bad_file', e.message, 'scan');
      throw e;
    }
  }

  private async nextCode(agencyCode: string): Promise<string> {
    const agency = await this.db.selectFrom('agencies').select(['portal_code']).where('code', '=', agencyCode).executeTakeFirstOrThrow();
    const day = vnDdMmYy(new Date());
    const row = await this.db.insertInto('dossier_sequences').values({ agency_code: agencyCode, day, last: 1 })
      .onConflict((oc) => oc.columns(['agency_code', 'day']).doUpdateSet({ last: sql`dossier_sequences.last + 1` }))
      .returning('last').executeTakeFirstOrThrow();
    return `${agency.portal_code}-${day}-01${String(row.last).padStart(4, '0')}`;
  }

  /** Creates the dossier and submits it for signature. The same idempotency key always gives the same dossier. */
  async create(actor: Actor, input: CreateDossierInput, file: UploadedFile | null, idempotencyKey: string): Promise<DossierView> {
    if (!actor.roles.includes('creator')) { await discard(file); throw new DomainError('forbidden', 'Bạn không có Quyền tạo bản sao.'); }
    const key = `${actor.username}:${idempotencyKey || crypto.randomUUID()}`;
    const prior = await this.db.selectFrom('create_requests').select('dossier_code').where('idempotency_key', '=', key).executeTakeFirst();
    if (prior) { await discard(file); return this.get(actor, prior.dossier_code); }

    let applicant: Applicant;
    let documentType: { code: string; name: string };
    let copies: number;
    try {
      applicant = await this.resolveApplicant(input);
      const dt = await this.db.selectFrom('document_types').select(['code', 'name']).where('code', '=', str(input.documentType)).executeTakeFirst();
      if (!dt) throw new DomainError('validation', 'Vui lòng chọn loại giấy tờ cần chứng thực.', 'documentType');
      documentType = dt;
      const c = str(input.copies) || '1';
      if (!/^\d{1,3}$/.test(c) || Number(c) < 1 || Number(c) > 100) throw new DomainError('validation', 'Số bản sao phải là số nguyên từ 1 đến 100.', 'copies');
      copies = Number(c);
    } catch (e) {
      await discard(file);
      throw e;
    }
    const { scan, pageCount } = await this.acceptScan(file);
    const agency = await this.db.selectFrom('agencies').selectAll().where('code', '=', actor.agencyCode).executeTakeFirstOrThrow();

    return this.db.transaction().execute(async (tx) => {
      // Serialises two requests with the same key (a double click): the second sees the first's dossier.
      await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(tx);
      const again = await tx.selectFrom('create_requests').select('dossier_code').where('idempotency_key', '=', key).executeTakeFirst();
      if (again) return this.get(actor, again.dossier_code);
      const code = await this.nextCode(actor.agencyCode);
      const dossier: DossierInput = {
        code, agencyCode: agency.code, agencyName: agency.name, applicant, documentType, copies, pageCount,
        fee: dossierFee(pageCount, copies), scan, appointmentCode: str(input.appointmentCode) || null,
        createdBy: { username: actor.username, fullName: actor.fullName }, createdAt: new Date().toISOString(),
        ...(this.workflowOptions ? { options: this.workflowOptions } : {}),
      };
      const handle = await this.temporal.workflow.start('dossierWorkflow', {
        taskQueue: this.taskQueue, workflowId: workflowIdFor(code), args: [dossier],
      });
      const view = await this.update(handle.workflowId, submitUpdate, { actor }, `${key}:submit`);
      await tx.insertInto('create_requests').values({ idempotency_key: key, dossier_code: code }).execute();
      return view;
    });
  }

  private async update<A extends object>(workflowId: string, def: UpdateDefinition<DossierView, [A]>, args: A, updateId: string): Promise<DossierView> {
    const handle = this.temporal.workflow.getHandle(workflowId);
    try {
      return (await handle.executeUpdate(def, { args: [args], updateId })) as DossierView;
    } catch (e) {
      throw toDomainError(e);
    }
  }

  /** Loads the read-model row and refuses other agencies' dossiers. */
  async row(actor: Actor, code: string) {
    const row = await this.db.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw new DomainError('not_found', `Không tìm thấy hồ sơ ${code}.`);
    if (row.agency_code !== actor.agencyCode) throw new DomainError('wrong_agency', 'Hồ sơ thuộc đơn vị khác; bạn không được xem hay xử lý hồ sơ này.');
    return row;
  }

  async get(actor: Actor, code: string): Promise<DossierView> {
    const row = await this.row(actor, code);
    try {
      return await this.temporal.workflow.getHandle(workflowIdFor(code)).query(getStateQuery);
    } catch (e) {
      const err = toDomainError(e);
      // A finished workflow past its retention is gone from Temporal; its last recorded state remains.
      if (err instanceof DomainError && err.code === 'not_found') return row.snapshot as DossierView;
      throw err;
    }
  }

  async act(actor: Actor, code: string, action: Exclude<Action, 'submit'>, args: Record<string, unknown>, idempotencyKey: string, file?: UploadedFile | null): Promise<DossierView> {
    let row;
    try {
      row = await this.row(actor, code);
    } catch (e) {
      await discard(file ?? null);
      throw e;
    }
    try {
      return await this.forward(actor, code, action, args, idempotencyKey, file);
    } catch (e) {
      // A finished workflow takes no more updates: explain from the read model, in the same words.
      // (Only when the workflow itself is gone: a refusal such as "no such register book" is passed on as is.)
      if (e instanceof WorkflowGone) {
        checkAction({ status: row.status as DossierStatus, agencyCode: row.agency_code, busy: false, delivery: row.delivered_at ? { status: 'sent', at: '', email: null, portal: false, error: null, requests: 1 } : null }, action, actor);
        throw new DomainError('wrong_state', FINISHED);
      }
      throw e;
    }
  }

  private async forward(actor: Actor, code: string, action: Exclude<Action, 'submit'>, args: Record<string, unknown>, idempotencyKey: string, file?: UploadedFile | null): Promise<DossierView> {
    const updateId = `${actor.username}:${action}:${idempotencyKey || crypto.randomUUID()}`;
    const wid = workflowIdFor(code);
    switch (action) {
      case 'returnToCreator':
        return this.update(wid, returnToCreatorUpdate, { actor, reason: str(args.reason) }, updateId);
      case 'cancel':
        return this.update(wid, cancelUpdate, { actor, reason: str(args.reason) }, updateId);
      case 'sign':
        return this.update(wid, signUpdate, { actor }, updateId);
      case 'deliver':
        return this.update(wid, deliverUpdate, { actor }, updateId);
      case 'resend': {
        const email = str(args.email);
        if (email && !isEmail(email)) throw new DomainError('validation', 'Địa chỉ email không hợp lệ.', 'email');
        return this.update(wid, resendUpdate, { actor, email: email || null }, updateId);
      }
      case 'seal': {
        const id = Number(str(String(args.registerBookId ?? '')));
        if (!Number.isInteger(id) || id <= 0) throw new DomainError('validation', 'Vui lòng chọn sổ chứng thực.', 'registerBookId');
        return this.update(wid, sealUpdate, { actor, registerBookId: id }, updateId);
      }
      case 'resubmit': {
        if (file) {
          const current = await this.get(actor, code);
          // Refuse before keeping the new scan, so a refused resubmit leaves no file behind.
          try { checkAction({ ...current, busy: false }, 'resubmit', actor); } catch (e) { await discard(file); throw e; }
          const { scan, pageCount } = await this.acceptScan(file);
          return this.update(wid, resubmitUpdate, { actor, scan, pageCount, fee: dossierFee(pageCount, current.copies) }, updateId);
        }
        return this.update(wid, resubmitUpdate, { actor }, updateId);
      }
    }
  }

  async list(actor: Actor, f: ListFilter) {
    const pageSize = Math.min(Math.max(Number(f.pageSize) || 10, 1), 100);
    const page = Math.max(Number(f.page) || 1, 1);
    let q = this.db.selectFrom('dossiers').where('agency_code', '=', actor.agencyCode);
    if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
    if (f.sealerQueue) {
      q = q.where((eb) => eb.or([eb('status', '=', 'awaiting_seal'), eb.and([eb('status', '=', 'completed'), eb('delivered_at', 'is', null)])]));
    }
    if (f.applicantKind && ['citizen', 'business', 'no_account'].includes(f.applicantKind)) q = q.where('applicant_kind', '=', f.applicantKind);
    if (f.code?.trim()) q = q.where('code', 'ilike', containsPattern(f.code.trim()));
    if (f.q?.trim()) {
      const like = containsPattern(f.q.trim());
      q = q.where((eb) => eb.or([eb('applicant_name', 'ilike', like), eb('applicant_id_number', 'ilike', like), eb('applicant_email', 'ilike', like)]));
    }
    if (f.from) q = q.where('created_at', '>=', vnDayStart(f.from));
    if (f.to) q = q.where('created_at', '<', new Date(vnDayStart(f.to).getTime() + 86400_000));
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const items = await q.selectAll().orderBy('created_at', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
    return { total: Number(total), page, pageSize, items };
  }

  async events(actor: Actor, code: string) {
    await this.row(actor, code);
    return this.db.selectFrom('dossier_events').selectAll().where('dossier_code', '=', code).orderBy('seq').execute();
  }

  /** The current PDF of the dossier: the sealed e-copy, else the signed copy, else the scan. */
  async currentPdf(actor: Actor, code: string, which?: string): Promise<{ ref: FileRef; kind: 'scan' | 'signed' | 'sealed' }> {
    const v = await this.get(actor, code);
    if (which === 'scan') return { ref: v.scan, kind: 'scan' };
    if (v.sealedPdf) return { ref: v.sealedPdf, kind: 'sealed' };
    if (v.signedPdf) return { ref: v.signedPdf, kind: 'signed' };
    return { ref: v.scan, kind: 'scan' };
  }
}

const FINISHED = 'Không thể thực hiện thao tác này: hồ sơ đã kết thúc xử lý.';

/** Turns a refused update or query into our error type, keeping the workflow's Vietnamese message. */
export const toDomainError = (e: unknown) => updateError(e, FINISHED);

// The dossier service used by both the screens and the JSON API: creates dossiers (one workflow each),
// forwards human actions as workflow updates, and reads lists from the read model.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import crypto from 'node:crypto';
import { attestationPreviewOffThread, inspectScanOffThread, type AttestationPreviewInput } from '../../activities/pdf/pool.js';
import { latestTemplate } from '../templates/service.js';
import { ScanError } from '../../activities/pdf/scan.js';
import type { FileStorage } from '../../activities/storage.js';
import { timed } from '../../lib/request-timing.js';
import { vnDdMmYy, vnIsoDate } from '../../domain/vn-time.js';
import { addDays, DOSSIER_CALENDAR_DAYS } from '../../domain/calendar.js';
import { DomainError, REMOTE_SIGNING_UNAVAILABLE, REVOCATION_UNAVAILABLE, TOKEN_UNAVAILABLE, TSA_UNAVAILABLE } from '../../domain/errors.js';
import { dossierFee } from '../../domain/fee.js';
import { idNumberError, isCccd, isCmnd, isEmail, isMst, isPhone, normalizePhone } from '../../domain/ids.js';
import { checkAction, type Action } from '../../domain/rules.js';
import { checkPlacement, DEFAULT_PLACEMENT, isPlacementPreset, PLACEMENT_PRESETS, type SignaturePlacement } from '../../domain/placement.js';
import type { Applicant, DossierInput, DossierStatus, WorkflowOptions } from '../../domain/dossier.js';
import type { Actor, FileRef } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { fetchDecodedHistory } from '../../lib/payload-codec.js';
import { approveUpdate, cancelUpdate, completeSignUpdate, deliverUpdate, prepareSignUpdate, type SignPreparation, getStateQuery, resendUpdate, resubmitUpdate, returnToCreatorUpdate, sealUpdate, signUpdate, submitUpdate, TASK_QUEUE, workflowIdFor, type SignChoice } from '../../workflows/messages.js';
import { type DossierView } from '../../domain/dossier.js';
import { effectiveEdit, type DossierEdit } from '../../domain/dossier-edit.js';
import { signingTitleFor } from '../signing-authority/service.js';
import { dossierWorkflow } from '../../workflows/dossier.js';
import { dossierPaging, parse } from '../http/schemas.js';
import { applicantSchema, completeSignArgs, prepareSignArgs, reasonArgs, resendArgs, resubmitArgs, sealArgs, type ResubmitArgs } from './schemas.js';
import type { CertificateService } from '../certificates/service.js';
import { checkIdempotencyKey } from '../http/idempotency.js';
import { discard, type UploadedFile } from '../http/upload.js';
import { UNAVAILABLE_MESSAGE, updateError, WorkflowGone } from '../http/workflow-errors.js';
import * as q from './queries.js';
import { assertRole } from '../http/guards.js';
import { currentProcess } from '../process/service.js';
import { subtreeOf, withinSubtree } from '../admin/service.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

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

/** A list's filter as the screens and the API give it; page and pageSize as typed, checked by the paging schema. */
export type { DossierSort } from './queries.js';
export type ListFilter = Omit<q.ListQuery, 'agencyCodes' | 'page' | 'pageSize'> & { page?: unknown; pageSize?: unknown; agencyCode?: string; withSubtree?: boolean };

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The list's "quá hạn" filter and its order, from the query: `overdue=1`, `sort=newest|oldest|due` (else `fallback`). */
export function listOrder(query: { overdue?: string; sort?: string; timeliness?: string }, fallback: q.DossierSort, now = new Date()): { sort: q.DossierSort; overdueBefore: string | null; timeliness?: q.Timeliness } {
  const sort = query.sort || fallback;
  if (!(q.DOSSIER_SORTS as readonly string[]).includes(sort)) {
    throw new DomainError('validation', `Cách sắp xếp không hợp lệ; dùng một trong: ${q.DOSSIER_SORTS.join(', ')}.`, 'sort');
  }
  if (query.overdue && !['1', 'true', 'on'].includes(query.overdue)) throw new DomainError('validation', 'Bộ lọc quá hạn chỉ nhận 1 (chỉ hồ sơ quá hạn).', 'overdue');
  if (query.timeliness && !(q.TIMELINESS as readonly string[]).includes(query.timeliness)) throw new DomainError('validation', `Bộ lọc đúng hạn/quá hạn chỉ nhận: ${q.TIMELINESS.join(', ')}.`, 'timeliness');
  return { sort: sort as q.DossierSort, overdueBefore: query.overdue ? vnIsoDate(now) : null, ...(query.timeliness ? { timeliness: query.timeliness as q.Timeliness } : {}) };
}

/** The number of copies requested, as typed (empty: one); 1 to 100. */
export function copiesOf(typed: unknown): number {
  // A JSON number as typed digits (3 → "3"; 1.5 and 1e3 are then refused), a form's text as it is.
  const c = typeof typed === 'number' ? String(typed) : str(typed) || '1';
  if (!/^\d{1,3}$/.test(c) || Number(c) < 1 || Number(c) > 100) throw new DomainError('validation', 'Số bản sao phải là số nguyên từ 1 đến 100.', 'copies');
  return Number(c);
}

/** `{ edit }` with only what differs from the dossier, or nothing: an unchanged form sends the same update as before. */
function withEdit(current: DossierView, edit: DossierEdit): { edit?: DossierEdit } {
  const changed = effectiveEdit(current, edit);
  return changed ? { edit: changed } : {};
}

/** The signer with the title block the attestation prints for them today (KT./TL./TM.: api/signing-authority/). */
export async function withSigningTitle(db: Db, actor: Actor): Promise<Actor> {
  return { ...actor, signingTitle: await signingTitleFor(db, actor) };
}

/** A create request's reserved dossier: its code and the workflow's input. */
interface Reservation { dossierCode: string; input: DossierInput | null }

/** What a person sees of a dossier: the workflow's state, or the read model's last recorded one (`stale`). */
export type DossierPage = DossierView & {
  /** An action was accepted and is still running (signing, sealing): the page follows it. */
  processing?: boolean;
  /** While processing: its last attempt failed for want of a signature timestamp, or of the certificate's
   *  revocation status (OCSP/CRL), and it is being retried. */
  waitingFor?: 'timestamp' | 'revocation' | 'token' | 'remote_signing';
  /** The workflow could not be asked (worker down or restarting): the read model's snapshot, maybe not current. */
  stale?: boolean;
};

export interface AnswerTimes {
  /** How long an action waits for its result before answering "đang xử lý" (unset: until it is done). */
  actionMs?: number;
  /** How long a dossier's page waits for the workflow before showing the read model's snapshot. */
  queryMs?: number;
}

export interface DossierServiceOptions extends AnswerTimes {
  /** Checks a certificate a leader chooses for one signature (without it only the worker checks it). */
  certificates?: Pick<CertificateService, 'signingCertificate'>;
}

export class DossierService {
  constructor(
    private readonly db: Db,
    private readonly temporal: Client,
    private readonly storage: FileStorage,
    private readonly taskQueue = TASK_QUEUE,
    private readonly workflowOptions?: WorkflowOptions,
    private readonly options: DossierServiceOptions = {},
  ) {}

  private readonly previews = new Map<string, Promise<Buffer>>();

  /** Finds a portal account by CMND/CCCD/MST (the "TÌM KIẾM TÀI KHOẢN" button). */
  async findAccount(idNumber: string) {
    const id = idNumber.trim();
    if (!isCmnd(id) && !isCccd(id) && !isMst(id)) {
      throw new DomainError('validation', 'Số CMND (9 chữ số), CCCD (12 chữ số) hoặc MST (10 chữ số, có chữ số kiểm tra) không hợp lệ.', 'idNumber');
    }
    return q.accountByIdNumber(this.db, id);
  }

  async documentTypes() {
    return q.documentTypes(this.db);
  }

  /** Validates the applicant; every refusal names the field in Vietnamese. */
  async resolveApplicant(input: Omit<CreateDossierInput, 'documentType'>): Promise<Applicant> {
    const { applicantKind: kind, phone, email, fullName, idNumber } = parse(applicantSchema, input);
    if (!kind) throw new DomainError('validation', 'Vui lòng chọn đối tượng đăng ký.', 'applicantKind');
    if (phone && !isPhone(phone)) throw new DomainError('validation', 'Số điện thoại không hợp lệ (ví dụ 0942077843).', 'phone');
    if (email && !isEmail(email)) throw new DomainError('validation', 'Địa chỉ email không hợp lệ.', 'email');

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
    const account = await q.portalAccountByIdNumber(this.db, idNumber);
    if (!account) throw new DomainError('validation', `Không tìm thấy tài khoản DVCQG có số ${idNumber}. Chọn "Đối tượng không có tài khoản DVCQG" và nhập email.`, 'idNumber');
    if (account.kind !== kind) throw new DomainError('validation', `Tài khoản có số ${idNumber} là tài khoản ${account.kind === 'citizen' ? 'công dân' : 'doanh nghiệp'}.`, 'applicantKind');
    return {
      kind, fullName: account.full_name, idNumber: account.id_number, email: email || account.email,
      phone: phone ? normalizePhone(phone) : account.phone, accountUsername: account.username,
    };
  }

  /**
   * "Xử lý tiếp" with new details: each given field checked as at creation (the applicant again as a whole, from the
   * given fields over the current ones; an active document type; 1–100 copies). A field left out keeps its value.
   */
  private async editOf(current: DossierView, asked: ResubmitArgs): Promise<DossierEdit> {
    const edit: DossierEdit = {};
    const a = current.applicant;
    if ([asked.applicantKind, asked.idNumber, asked.fullName, asked.email, asked.phone].some((v) => v !== undefined)) {
      edit.applicant = await this.resolveApplicant({
        applicantKind: asked.applicantKind ?? a.kind, idNumber: asked.idNumber ?? a.idNumber ?? '', fullName: asked.fullName ?? a.fullName,
        email: asked.email ?? a.email ?? '', phone: asked.phone ?? a.phone ?? '',
      });
    }
    if (asked.documentType !== undefined && asked.documentType !== current.documentType.code) {
      const dt = await q.documentType(this.db, asked.documentType);
      if (!dt) throw new DomainError('validation', 'Vui lòng chọn loại giấy tờ cần chứng thực.', 'documentType');
      if (!dt.active) throw new DomainError('validation', `Loại giấy tờ “${dt.name}” đã ngừng sử dụng: vui lòng chọn loại giấy tờ khác.`, 'documentType');
      edit.documentType = { code: dt.code, name: dt.name };
    }
    if (asked.copies !== undefined) edit.copies = copiesOf(asked.copies);
    return edit;
  }

  /** Checks the uploaded scan by content and moves it into storage. */
  async acceptScan(file: UploadedFile | null): Promise<{ scan: FileRef; pageCount: number }> {
    if (!file) throw new DomainError('validation', 'Vui lòng đính kèm bản chính (scan) định dạng .pdf.', 'scan');
    try {
      const { pages } = await timed('inspect', () => inspectScanOffThread({ path: file.tmpPath })); // untrusted: parsed in the PDF pool
      const scan = await timed('store', () => this.storage.adopt(file.tmpPath, { sha256: file.sha256, size: file.size }));
      return { scan, pageCount: pages };
    } catch (e) {
      await discard(file);
      if (e instanceof ScanError) throw new DomainError('bad_file', e.message, 'scan');
      throw e;
    }
  }

  private async nextCode(db: Db, agencyCode: string): Promise<string> {
    const agency = await q.agency(db, agencyCode);
    const day = vnDdMmYy(new Date());
    const last = await q.nextSequence(db, agencyCode, day);
    return `${agency.portal_code}-${day}-01${String(last).padStart(4, '0')}`;
  }

  /**
   * Creates the dossier and submits it for signature. The same idempotency key always gives the same dossier, and
   * a repeat of a request that died at any point (after the reservation, after the Temporal call, before the
   * answer) finishes the first one instead of making a second: (1) the key is reserved with the dossier code
   * and the workflow's input in a short committed transaction, (2) one update-with-start call starts the
   * workflow (id from the code) and submits it (update id from the key). No transaction is open during (2).
   */
  async create(actor: Actor, input: CreateDossierInput, file: UploadedFile | null, idempotencyKey: string): Promise<DossierView> {
    let key: string;
    try {
      key = this.createKey(actor, checkIdempotencyKey(idempotencyKey) || crypto.randomUUID());
      assertRole(actor, 'creator', 'Bạn không có Quyền tạo bản sao.');
    } catch (e) {
      await discard(file);
      throw e;
    }
    const prior = await this.reservation(key);
    if (prior) { await discard(file); return this.startAndSubmit(actor, key, prior); }

    let applicant: Applicant;
    let documentType: { code: string; name: string };
    let copies: number;
    try {
      applicant = await this.resolveApplicant(input);
      const dt = await q.documentType(this.db, str(input.documentType));
      if (!dt) throw new DomainError('validation', 'Vui lòng chọn loại giấy tờ cần chứng thực.', 'documentType');
      if (!dt.active) throw new DomainError('validation', `Loại giấy tờ “${dt.name}” đã ngừng sử dụng: vui lòng chọn loại giấy tờ khác.`, 'documentType');
      documentType = { code: dt.code, name: dt.name };
      copies = copiesOf(input.copies);
    } catch (e) {
      await discard(file);
      throw e;
    }
    const { scan, pageCount } = await this.acceptScan(file);
    const agency = await q.agency(this.db, actor.agencyCode);
    // The due date is computed in the workflow, which cannot read the database: it gets the agency's calendar
    // (public holidays, the agency's own days) for the coming weeks in its input.
    const today = vnIsoDate(new Date());
    const calendar = await q.workingCalendar(this.db, agency.code, today, addDays(today, DOSSIER_CALENDAR_DAYS));
    // The agency's process as it is now: pinned in the input, so a later version changes only later dossiers.
    const process = await currentProcess(this.db, agency.code);
    const reserved = await this.reserve(key, actor.agencyCode, (code) => ({
      code, agencyCode: agency.code, agencyName: agency.name, applicant, documentType, copies, pageCount,
      fee: dossierFee(pageCount, copies), scan, appointmentCode: str(input.appointmentCode) || null,
      createdBy: { username: actor.username, fullName: actor.fullName }, createdAt: new Date().toISOString(),
      ...(this.workflowOptions ? { options: this.workflowOptions } : {}), calendar, process,
    }));
    return this.startAndSubmit(actor, key, reserved);
  }

  private createKey(actor: Actor, idempotencyKey: string) {
    return `${actor.username}:${idempotencyKey}`;
  }

  /** The dossier code that a create request with this key (as the form or header gave it) reserved, if any. */
  async reservedCode(actor: Actor, idempotencyKey: string): Promise<string | null> {
    const key = checkIdempotencyKey(idempotencyKey);
    return key ? (await this.reservation(this.createKey(actor, key)))?.dossierCode ?? null : null;
  }

  private async reservation(key: string, db: Db = this.db): Promise<Reservation | undefined> {
    const row = await q.createRequest(db, key);
    return row && { dossierCode: row.dossier_code, input: (row.dossier_input as DossierInput | null) ?? null };
  }

  /** Step (1): key → dossier code and input, committed at once. A second request with the same key (a double
   * click) waits on the key's lock for a moment, then finds the first one's reservation. */
  private reserve(key: string, agencyCode: string, build: (code: string) => DossierInput): Promise<Reservation> {
    return this.db.transaction().execute(async (tx) => {
      await q.lockKey(tx, key);
      const again = await this.reservation(key, tx);
      if (again) return again;
      const input = build(await this.nextCode(tx, agencyCode));
      await q.insertCreateRequest(tx, key, input.code, input);
      return { dossierCode: input.code, input };
    });
  }

  /** Step (2): starts the reserved dossier's workflow and submits it, in one Temporal call that a repeat joins. */
  private async startAndSubmit(actor: Actor, key: string, r: Reservation): Promise<DossierView> {
    const code = r.dossierCode;
    // Its read-model row is written by the submit itself: once it exists, the dossier is answered as it is now.
    // (A reservation without input is from before inputs were kept, when it was written only after the submit.)
    const submitted = await q.dossierExists(this.db, code);
    if (submitted || !r.input) return this.get(actor, code);
    const startWorkflowOperation = new WithStartWorkflowOperation(dossierWorkflow, {
      workflowId: workflowIdFor(code), taskQueue: this.taskQueue, args: [r.input],
      // A repeat joins the running workflow; a finished one is never started again under the same id.
      workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    try {
      return await timed('temporal', () => this.temporal.workflow.executeUpdateWithStart(submitUpdate, { args: [{ actor }], updateId: `${key}:submit`, startWorkflowOperation }));
    } catch (e) {
      // Finished (cancelled, say) between the row check and this call: it was submitted, so answer it as it is.
      if (e instanceof WorkflowExecutionAlreadyStartedError) return this.get(actor, code);
      throw toDomainError(e);
    }
  }

  private async update<A extends object>(workflowId: string, def: UpdateDefinition<DossierView, [A]>, args: A, updateId: string): Promise<DossierView> {
    const handle = this.temporal.workflow.getHandle(workflowId);
    try {
      return (await timed('temporal', () => handle.executeUpdate(def, { args: [args], updateId }))) as DossierView;
    } catch (e) {
      throw toDomainError(e);
    }
  }

  /**
   * A person's action, answered within `options.actionMs`: the result when the workflow finishes in time;
   * when it accepted the action but is still working (a signature, a seal, or a worker restarting meanwhile),
   * the dossier as it is now, marked `processing`; when it did not even accept it in time, a temporary refusal
   * ('unavailable'): sending the same action again (same idempotency key, same update id) finds the first.
   */
  private async answer<A extends object>(actor: Actor, code: string, def: UpdateDefinition<DossierView, [A]>, args: A, updateId: string): Promise<DossierPage> {
    const within = this.options.actionMs;
    if (!within) return this.update(workflowIdFor(code), def, args, updateId);
    const handle = this.temporal.workflow.getHandle(workflowIdFor(code));
    const waited = new AbortController();
    const timer = setTimeout(() => waited.abort(), within);
    let accepted = false;
    try {
      return await timed('temporal', () => this.temporal.withAbortSignal(waited.signal, async () => {
        const started = await handle.startUpdate(def, { args: [args], updateId, waitForStage: 'ACCEPTED' });
        accepted = true;
        return (await started.result()) as DossierView;
      }));
    } catch (e) {
      if (!waited.signal.aborted) throw toDomainError(e);
      if (!accepted) throw new DomainError('unavailable', UNAVAILABLE_MESSAGE);
      return { ...(await this.get(actor, code)), processing: true };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Loads the read-model row and refuses other agencies' dossiers (a supervisor reads those under its agency). */
  async row(actor: Actor, code: string) {
    const row = await q.dossierRow(this.db, code);
    if (!row) throw new DomainError('not_found', `Không tìm thấy hồ sơ ${code}.`);
    const supervised = actor.roles.includes('supervisor') && row.agency_code !== actor.agencyCode && (await withinSubtree(this.db, actor.agencyCode, row.agency_code));
    if (row.agency_code !== actor.agencyCode && !supervised) throw new DomainError('wrong_agency', 'Hồ sơ thuộc đơn vị khác; bạn không được xem hay xử lý hồ sơ này.');
    return row;
  }

  async get(actor: Actor, code: string): Promise<DossierPage> {
    const row = await this.row(actor, code);
    const query = () => this.temporal.workflow.getHandle(workflowIdFor(code)).query(getStateQuery);
    const within = this.options.queryMs ?? QUERY_WITHIN_MS;
    try {
      const v: DossierPage = await timed('temporal', () => this.temporal.withDeadline(Date.now() + within, query));
      const waitingFor = v.processing ? await this.waitingFor(code) : null;
      return waitingFor ? { ...v, waitingFor } : v;
    } catch (e) {
      const err = toDomainError(e);
      // A finished workflow past its retention is gone from Temporal; its last recorded state remains.
      if (err instanceof DomainError && err.code === 'not_found') return row.snapshot as DossierView;
      // The worker is down or restarting (the query timed out), or Temporal cannot be reached: show what the
      // read model last recorded, saying it may not be current, rather than no page at all.
      if (err instanceof DomainError && err.code === 'unavailable') return { ...(row.snapshot as DossierView), stale: true };
      throw err;
    }
  }

  /** The trust service whose outage made a pending activity's last attempt fail (Temporal is retrying it), if any. */
  private async waitingFor(code: string): Promise<DossierPage['waitingFor'] | null> {
    try {
      const d = await this.temporal.withDeadline(Date.now() + QUERY_WITHIN_MS, () => this.temporal.workflow.getHandle(workflowIdFor(code)).describe());
      const types = (d.raw.pendingActivities ?? []).map((a) => a.lastFailure?.applicationFailureInfo?.type);
      if (types.includes(TSA_UNAVAILABLE)) return 'timestamp';
      if (types.includes(REVOCATION_UNAVAILABLE)) return 'revocation';
      if (types.includes(TOKEN_UNAVAILABLE)) return 'token';
      if (types.includes(REMOTE_SIGNING_UNAVAILABLE)) return 'remote_signing';
      return null;
    } catch {
      return null; // only a finer notice; the page shows "đang xử lý" anyway
    }
  }

  async act(actor: Actor, code: string, action: Exclude<Action, 'submit'>, args: Record<string, unknown>, idempotencyKey: string, file?: UploadedFile | null): Promise<DossierPage> {
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
        const last = row.snapshot as Partial<DossierView>;
        checkAction({ process: last.process, reviewIndex: last.reviewIndex, performers: last.performers, status: row.status as DossierStatus, agencyCode: row.agency_code, busy: false, delivery: row.delivered_at ? { status: 'sent', at: '', email: null, portal: false, error: null, requests: 1 } : null }, action, actor);
        throw new DomainError('wrong_state', FINISHED);
      }
      throw e;
    }
  }

  private async forward(actor: Actor, code: string, action: Exclude<Action, 'submit'>, args: Record<string, unknown>, idempotencyKey: string, file?: UploadedFile | null): Promise<DossierPage> {
    const updateId = `${actor.username}:${action}:${idempotencyKey || crypto.randomUUID()}`;
    const update = <A extends object>(def: UpdateDefinition<DossierView, [A]>, a: A) => this.answer(actor, code, def, a, updateId);
    switch (action) {
      case 'returnToCreator':
        return update(returnToCreatorUpdate, { actor, reason: parse(reasonArgs, args).reason });
      case 'cancel':
        return update(cancelUpdate, { actor, reason: parse(reasonArgs, args).reason });
      case 'approve':
        return update(approveUpdate, { actor });
      case 'sign': {
        const choice = await this.signChoice(actor, code, args);
        const v = await update(signUpdate, { actor: await withSigningTitle(this.db, actor), ...choice });
        await this.keepPlacement(actor, args, choice);
        return v;
      }
      case 'deliver':
        return update(deliverUpdate, { actor });
      case 'resend': {
        const { email } = parse(resendArgs, args);
        if (email && !isEmail(email)) throw new DomainError('validation', 'Địa chỉ email không hợp lệ.', 'email');
        return update(resendUpdate, { actor, email: email || null });
      }
      case 'seal': {
        const id = parse(sealArgs, args).registerBookId;
        return update(sealUpdate, { actor, registerBookId: id });
      }
      case 'resubmit': {
        const asked = parse(resubmitArgs, args);
        const editing = Object.values(asked).some((v) => v !== undefined);
        if (!file && !editing) return update(resubmitUpdate, { actor });
        const current = await this.get(actor, code);
        let edit: DossierEdit;
        try {
          // Refuse (the state, then each new value, as at creation) before keeping the new scan: a refused
          // resubmit leaves no file behind and changes nothing.
          checkAction({ ...current, busy: false }, 'resubmit', actor);
          edit = await this.editOf(current, asked);
        } catch (e) { await discard(file ?? null); throw e; }
        const copies = edit.copies ?? current.copies;
        if (file) {
          const { scan, pageCount } = await this.acceptScan(file);
          const fee = dossierFee(pageCount, copies);
          return update(resubmitUpdate, { actor, scan, pageCount, fee, ...withEdit(current, { ...edit, fee }) });
        }
        return update(resubmitUpdate, { actor, ...withEdit(current, { ...edit, fee: dossierFee(current.pageCount, copies) }) });
      }
    }
  }

  /** The attestation page as the leader would sign it now, without the signature box (PNG, cached by content). */
  async attestationPreview(actor: Actor, code: string): Promise<Buffer> {
    assertRole(actor, 'signer', 'Bạn không có Quyền ký bản sao để thực hiện thao tác này.');
    const v = await this.get(actor, code);
    // The attestation text signing would use now: the latest published template (its version in the cache key).
    const template = await latestTemplate(this.db, 'attestation');
    const input: AttestationPreviewInput = {
      agencyName: v.agencyName, documentTypeName: v.documentType.name, dossierCode: v.code, date: new Date().toISOString(), copies: v.copies,
      signerName: actor.fullName, signerTitle: await signingTitleFor(this.db, actor), template: template.body,
    };
    const key = JSON.stringify({ ...input, template: template.version, date: vnDdMmYy(new Date(input.date)) });
    let png = this.previews.get(key);
    if (!png) {
      png = attestationPreviewOffThread(input);
      png.catch(() => this.previews.delete(key));
      this.previews.set(key, png);
      // A few dozen pages of ~45 KB: the oldest goes first.
      if (this.previews.size > 32) this.previews.delete(this.previews.keys().next().value!);
    }
    return png;
  }

  /** The leader's default place for the signature box (their last one), or the default place. */
  async signaturePlacement(actor: Actor): Promise<SignaturePlacement> {
    const saved = await q.signaturePlacementOf(this.db, actor.username);
    return saved ? { x: saved.x, y: saved.y } : { ...DEFAULT_PLACEMENT };
  }

  /**
   * What the leader chose for a signature, checked: a certificate of theirs (`certificate`: SHA-256 fingerprint) and
   * where the box goes (`placement`: `{page?, x, y}` from the API; from the form a preset's name, or `custom` with
   * `placementX`/`placementY` set by the dragging script). Without a placement, the leader's default, if any.
   */
  private async signChoice(actor: Actor, code: string, args: Record<string, unknown>): Promise<SignChoice> {
    const row = await this.row(actor, code);
    const choice: SignChoice = {};
    if (args.certificate !== undefined && args.certificate !== '') {
      if (typeof args.certificate !== 'string') throw new DomainError('validation', 'Chứng thư số được chọn phải là dấu vân tay SHA-256 (64 ký tự hex).', 'certificate');
      choice.certificate = this.options.certificates
        ? await this.options.certificates.signingCertificate(actor, args.certificate)
        : args.certificate.replace(/[:\s]/g, '').toLowerCase();
    }
    const p = args.placement;
    if (p !== undefined && p !== '') {
      if (p === 'custom') choice.placement = checkPlacement({ x: args.placementX, y: args.placementY }, row.page_count);
      else if (isPlacementPreset(p)) choice.placement = { ...PLACEMENT_PRESETS[p].at };
      else if (p && typeof p === 'object' && !Array.isArray(p)) choice.placement = checkPlacement(p as Record<string, unknown>, row.page_count);
      else throw new DomainError('validation', 'Vị trí chữ ký không hợp lệ: gửi {page, x, y} hoặc chọn một vị trí có sẵn.', 'placement');
    } else {
      const saved = await q.signaturePlacementOf(this.db, actor.username);
      // A default saved under other limits is dropped rather than refusing the signature.
      if (saved) try { choice.placement = checkPlacement(saved, row.page_count); } catch { /* the default place */ }
    }
    return choice;
  }

  /** A place the leader gave (not the default filled in) becomes their default for the next dossier, once accepted. */
  private async keepPlacement(actor: Actor, args: Record<string, unknown>, choice: SignChoice) {
    if (args.placement !== undefined && args.placement !== '' && choice.placement) await q.saveSignaturePlacement(this.db, actor.username, choice.placement);
  }

  /**
   * Prepares the leader's signature with a token outside the server: the chain (PEM, leaf first) is checked as the
   * signer's (`certificates.externalSigner`), then the workflow builds the signed copy up to its placeholder and
   * keeps the preparation. The same idempotency key answers the same preparation.
   */
  async prepareSign(actor: Actor, code: string, args: Record<string, unknown>, idempotencyKey: string, certificates: Pick<CertificateService, 'externalSigner'>): Promise<SignPreparation> {
    await this.row(actor, code);
    assertRole(actor, 'signer', 'Bạn không có Quyền ký bản sao để thực hiện thao tác này.');
    const pems = [...parse(prepareSignArgs, args).certificate.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => m[0]);
    if (!pems.length || pems.length > 8) throw new DomainError('validation', 'Vui lòng gửi chuỗi chứng thư số (PEM) của người ký: chứng thư của người ký trước, rồi tới các chứng thư cấp trên.', 'certificate');
    const ders = pems.map((pem) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64'));
    const signer = await certificates.externalSigner(actor, ders);
    const { placement } = await this.signChoice(actor, code, { placement: args.placement });
    const handle = this.temporal.workflow.getHandle(workflowIdFor(code));
    const updateId = `${actor.username}:prepareSign:${checkIdempotencyKey(idempotencyKey) || crypto.randomUUID()}`;
    let prepared: SignPreparation;
    try {
      prepared = await handle.executeUpdate(prepareSignUpdate, {
        args: [{ actor: await withSigningTitle(this.db, actor), certificateChain: signer.chainDer.map((d) => d.toString('base64')), certificate: { fingerprint: signer.fingerprint, holder: signer.holder }, ...(placement ? { placement } : {}) }], updateId,
      });
    } catch (e) {
      throw finished(toDomainError(e));
    }
    await this.keepPlacement(actor, args, { placement });
    return prepared;
  }

  /** Completes a prepared signature with the token's raw signature (base64) over the signed attributes. */
  async completeSign(actor: Actor, code: string, args: Record<string, unknown>, idempotencyKey: string): Promise<DossierPage> {
    await this.row(actor, code);
    const { preparationId, signature } = parse(completeSignArgs, args);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) throw new DomainError('validation', 'Chữ ký số phải được mã hóa base64.', 'signature');
    const updateId = `${actor.username}:completeSign:${checkIdempotencyKey(idempotencyKey) || crypto.randomUUID()}`;
    return this.answer(actor, code, completeSignUpdate, { actor, preparationId, signature }, updateId).catch((e: unknown) => { throw finished(e); });
  }

  /** What the actor reads: its agency, or for a supervisor its agency and every agency under it. */
  async reach(actor: Actor): Promise<{ code: string; name: string; depth: number }[]> {
    if (!actor.roles.includes('supervisor')) return [{ code: actor.agencyCode, name: await q.agency(this.db, actor.agencyCode).then((a) => a.name), depth: 0 }];
    return (await subtreeOf(this.db, actor.agencyCode)).map((a) => ({ code: a.code, name: a.name, depth: a.depth }));
  }

  /** A page of the dossiers the actor reads (`agencyCode`: one agency of a supervisor's reach; outside it: 404). */
  async list(actor: Actor, f: ListFilter) {
    const { page, pageSize } = parse(dossierPaging, { page: f.page, pageSize: f.pageSize });
    const tree = f.agencyCode || actor.roles.includes('supervisor') ? await this.reach(actor) : [{ code: actor.agencyCode, depth: 0 }];
    const reach = tree.map((a) => a.code);
    const at = f.agencyCode ? reach.indexOf(f.agencyCode) : -1;
    if (f.agencyCode && at < 0) throw new DomainError('not_found', `Không tìm thấy cơ quan, đơn vị ${f.agencyCode} trong phạm vi theo dõi của bạn.`, 'agencyCode');
    // The reach is in preorder: an agency's subtree is it and the deeper ones right after it.
    const subtree = () => { const end = tree.findIndex((a, i) => i > at && a.depth <= tree[at].depth); return reach.slice(at, end < 0 ? undefined : end); };
    const agencyCodes = !f.agencyCode ? reach : f.withSubtree ? subtree() : [f.agencyCode];
    // The same agencies as the kept figures see them (an agency with its subtree, or alone: less its children's).
    const top = f.agencyCode ?? actor.agencyCode;
    const whole = f.agencyCode ? Boolean(f.withSubtree) : actor.roles.includes('supervisor');
    const scope = { code: top, subtree: whole, children: whole ? [] : await q.childAgencies(this.db, top) };
    const { total, capped, items } = await q.listDossiers(this.db, { ...f, page, pageSize, agencyCodes, scope });
    return { total, capped, page, pageSize, items };
  }

  /**
   * The dossier's workflow history from Temporal, every event (Temporal's JSON, as `temporal workflow show -o json`):
   * for supervisors and testers of the dossier's agency or an agency above it.
   */
  async history(actor: Actor, code: string): Promise<string> {
    return historyToJSON(await this.workflowHistory(actor, code));
  }

  /** The same history as objects (its payloads decoded), for the supervisors' view of it (workflow-history.ts). */
  async workflowHistory(actor: Actor, code: string) {
    if (!actor.roles.includes('supervisor') && !actor.roles.includes('tester')) {
      throw new DomainError('forbidden', 'Chỉ người có quyền Giám sát hoặc Kiểm thử được xuất lịch sử workflow của hồ sơ.');
    }
    const row = await q.dossierRow(this.db, code);
    if (!row || !(await withinSubtree(this.db, actor.agencyCode, row.agency_code))) throw new DomainError('not_found', `Không tìm thấy hồ sơ ${code}.`);
    try {
      // Decoded (lib/payload-codec.ts): the file replays anywhere, and only these roles may read it.
      return await fetchDecodedHistory(this.temporal, workflowIdFor(code));
    } catch (e) {
      const err = toDomainError(e);
      if (err instanceof DomainError && err.code === 'not_found') throw new DomainError('not_found', `Lịch sử workflow của hồ sơ ${code} không còn trên Temporal (đã quá thời hạn lưu giữ); tiến trình vẫn xem được từ nhật ký hồ sơ.`);
      throw err;
    }
  }

  async events(actor: Actor, code: string) {
    await this.row(actor, code);
    return q.dossierEvents(this.db, code);
  }

  /** The current PDF of the dossier: the sealed e-copy, else the signed copy, else the scan. */
  async currentPdf(actor: Actor, code: string, which?: string): Promise<{ ref: FileRef; kind: 'scan' | 'signed' | 'sealed' }> {
    const v = await this.get(actor, code);
    if (which === 'scan') return { ref: v.scan, kind: 'scan' };
    if (v.sealedPdf) return { ref: await q.currentEcopy(this.db, code, v.sealedPdf), kind: 'sealed' };
    if (v.signedPdf) return { ref: v.signedPdf, kind: 'signed' };
    return { ref: v.scan, kind: 'scan' };
  }
}

const FINISHED = 'Không thể thực hiện thao tác này: hồ sơ đã kết thúc xử lý.';

/** A workflow gone from Temporal takes no more signatures: said as a finished dossier (as `act` says it). */
const finished = (e: unknown) => (e instanceof WorkflowGone ? new DomainError('wrong_state', FINISHED) : e);

/** A dossier's page waits this long for its workflow before showing the read model (the worker may be down). */
const QUERY_WITHIN_MS = 3000;

/** Turns a refused update or query into our error type, keeping the workflow's Vietnamese message. */
export const toDomainError = (e: unknown) => updateError(e, FINISHED);
export { WAITING_STATUSES, completedDay } from './queries.js';

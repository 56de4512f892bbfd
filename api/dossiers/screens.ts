// The dossier screens (Express + htmx): the new-dossier form with its fee preview and account lookup, the lists,
// a dossier's page with its PDF, progress and actions. The JSON routes of the same use cases are in json.ts.
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { inspectScanOffThread } from '../../activities/pdf/pool.js';
import { ScanError } from '../../activities/pdf/scan.js';
import { parseVnDate, vnDate } from '../../domain/vn-time.js';
import { ATTESTATION_PAGE, attestationPageOf, PLACEMENT_LIMITS, PLACEMENT_PRESETS, SIGNATURE_BOX } from '../../domain/placement.js';
import { DomainError, HTTP_STATUS } from '../../domain/errors.js';
import { dossierFee, feePerCopy, formatVnd } from '../../domain/fee.js';
import { checkAction } from '../../domain/rules.js';
import { RETURN_REASONS, type DossierStatus, type DossierView } from '../../domain/dossier.js';
import { DEFAULT_PROCESS, reviewSteps, STEP_LABELS, stepLabel } from '../../domain/process.js';
import type { Role } from '../../domain/types.js';
import { createDossier } from '../appointments/service.js';
import { attemptsOf } from '../deliveries/service.js';
import { getImage } from '../images/service.js';
import type { AppDeps } from '../http/deps.js';
import { actorOf as actor, assertRole, flash, needLogin, needRole } from '../http/guards.js';
import { pageCount, pageUrlFor } from '../http/paging.js';
import { renderAgainOnRefusal } from '../http/render-again.js';
import { parse } from '../http/schemas.js';
import { discard, parseFormUpload, UploadRefused } from '../http/upload.js';
import { isActivityRun, isRetry, workflowHistoryRows, type HistoryRow } from './workflow-history.js';
import { dossierProgress, progressFromEvents } from './progress.js';
import { booksForSealing } from '../register/service.js';
import { signersToday } from '../signing-authority/service.js';
import { dossierListQuery, newDossierQuery } from './schemas.js';
import { copiesOf, listOrder, type DossierSort } from './service.js';

const PROCESSING_FLASH = 'Hồ sơ đang được xử lý, vui lòng chờ trong giây lát; trang sẽ tự cập nhật khi xử lý xong.';

// The staff's queues show the oldest first (the same-day deadline puts it at risk); "Theo dõi" the newest, with a
// status filter.
const LISTS: Record<string, { title: string; statuses: DossierStatus[]; role: Role | null; rowAction: string; showStatus: boolean; sealerQueue?: boolean; reviewQueue?: boolean; sort: DossierSort; statusFilter?: boolean; bulk?: 'sign' | 'seal' }> = {
  // The review steps of the agency's process: each lists the dossiers whose current review step is one of the actor's roles.
  'cho-kiem-tra': { title: 'Bản sao chờ kiểm tra', statuses: ['awaiting_review'], role: null, rowAction: 'process', showStatus: false, reviewQueue: true, sort: 'oldest' },
  'bi-tu-choi': { title: 'Hồ sơ bị từ chối', statuses: ['returned'], role: 'creator', rowAction: 'returned', showStatus: false, sort: 'oldest' },
  'cho-ky': { title: 'Bản sao chờ ký', statuses: ['awaiting_signature'], role: 'signer', rowAction: 'process', showStatus: false, sort: 'oldest', bulk: 'sign' },
  // Waiting for the seal, or sealed but not yet "Hoàn thành và chuyển".
  'cho-dong-dau': { title: 'Bản sao chờ đóng dấu', statuses: [], role: 'sealer', rowAction: 'process', showStatus: true, sealerQueue: true, sort: 'oldest', bulk: 'seal' },
  'theo-doi': { title: 'Theo dõi hồ sơ chứng thực', statuses: [], role: null, rowAction: 'view', showStatus: true, sort: 'newest', statusFilter: true },
};
const STATUS_CHOICES: { value: DossierStatus | ''; label: string }[] = [
  { value: '', label: 'Tất cả' }, { value: 'awaiting_review', label: 'Chờ kiểm tra' }, { value: 'awaiting_signature', label: 'Chờ ký' }, { value: 'returned', label: 'Bị trả lại' },
  { value: 'awaiting_seal', label: 'Chờ đóng dấu' }, { value: 'completed', label: 'Hoàn thành' }, { value: 'cancelled', label: 'Đã hủy' },
];
const SORT_CHOICES: { value: DossierSort; label: string }[] = [
  { value: 'oldest', label: 'Cũ nhất trước' }, { value: 'newest', label: 'Mới nhất trước' }, { value: 'due', label: 'Hạn trả kết quả sớm nhất trước' },
];

export function dossierScreens(deps: AppDeps) {
  const r = express.Router();
  const { db, dossiers } = deps;

  // --- Thêm mới bản sao từ bản chính ---
  const documentTypes = () => dossiers.documentTypes();
  r.get('/ban-sao/them-moi', needLogin, needRole('creator'), async (req, res, next) => {
    try {
      const typed = Object.entries(parse(newDossierQuery, req.query)).filter(([, v]) => v);
      const form: Record<string, string> = { applicantMode: 'account', ...Object.fromEntries(typed) };
      if (form.appointmentCode) {
        // "Xử lý" from Lịch hẹn chờ duyệt: the applicant and document type come from the appointment.
        const a = await deps.appointments.pending(actor(res), form.appointmentCode);
        Object.assign(form, { applicantMode: 'account', idNumber: a.id_number, lookup: '1', documentType: a.document_type_code });
      }
      let account = null; let accountError = null;
      if (form.lookup && form.idNumber) {
        try {
          account = await dossiers.findAccount(form.idNumber);
          if (!account) accountError = `Không tìm thấy tài khoản DVCQG có số ${form.idNumber}.`;
        } catch (e) { if (e instanceof DomainError) accountError = e.message; else throw e; }
      }
      res.render('dossier-new.njk', { title: 'Thêm mới bản sao từ bản chính', active: '/ban-sao/them-moi', form, account, accountError, documentTypes: await documentTypes(), idemKey: crypto.randomUUID() });
    } catch (e) { next(e); }
  });
  // The fee before submitting (TT 226/2016): the scan's pages × the copies requested. Nothing is kept.
  r.post('/ban-sao/tinh-phi', needLogin, needRole('creator'), async (req, res) => {
    res.set('Vary', 'HX-Request');
    let file: Awaited<ReturnType<typeof parseFormUpload>>['file'] = null;
    let view: Record<string, unknown>;
    let status = 200;
    try {
      const parsed = await parseFormUpload(req, deps.storage);
      file = parsed.file;
      const copies = copiesOf(parsed.fields.copies);
      if (!file) {
        view = { empty: true };
      } else {
        const { pages } = await inspectScanOffThread({ path: file.tmpPath });
        view = { pages, copies, total: dossierFee(pages, copies), perCopy: feePerCopy(pages) };
      }
    } catch (e) {
      view = { error: e instanceof DomainError || e instanceof ScanError ? e.message : 'Không tính được lệ phí.' };
      status = e instanceof DomainError ? HTTP_STATUS[e.code] : 400;
    }
    await discard(file); // before answering: nothing of the preview is kept
    res.status(status).render('fee-preview.njk', view);
  });

  r.get('/ban-sao/tim-tai-khoan', needLogin, needRole('creator'), async (req, res, next) => {
    res.set('Vary', 'HX-Request');
    try {
      const account = await dossiers.findAccount(String(req.query.idNumber ?? ''));
      res.render('account-result.njk', { account, accountError: account ? null : `Không tìm thấy tài khoản DVCQG có số ${String(req.query.idNumber ?? '')}.` });
    } catch (e) {
      if (e instanceof DomainError) return res.status(400).render('account-result.njk', { accountError: e.message });
      next(e);
    }
  });
  r.post('/ban-sao', needLogin, needRole('creator'), async (req, res, next) => {
    let fields: Record<string, string> = {};
    await renderAgainOnRefusal(res, next, async () => {
      const parsed = await parseFormUpload(req, deps.storage);
      fields = parsed.fields;
      const withAccount = fields.applicantMode !== 'no_account';
      let applicantKind = 'no_account';
      if (withAccount) {
        const acc = fields.idNumber ? await dossiers.findAccount(fields.idNumber) : null;
        applicantKind = acc?.kind ?? 'citizen';
      }
      const view = await createDossier(deps, actor(res), {
        applicantKind,
        idNumber: withAccount ? fields.idNumber : fields.otherIdNumber,
        fullName: withAccount ? '' : fields.fullName,
        email: withAccount ? '' : fields.email,
        phone: withAccount ? '' : fields.phone,
        documentType: fields.documentType,
        copies: fields.copies,
        appointmentCode: fields.appointmentCode,
      }, parsed.file, fields._key ?? '');
      flash(req, `Đã tạo hồ sơ ${view.code} và trình lãnh đạo ký.`);
      res.redirect(303, `/ho-so/${encodeURIComponent(view.code)}`);
    }, async (status, message, e) => {
      // Show the form again as it was filled (a refused scan must not cost the clerk the account search).
      if (e instanceof UploadRefused) fields = e.fields;
      const account = fields.applicantMode !== 'no_account' && fields.idNumber ? await dossiers.findAccount(fields.idNumber).catch(() => null) : null;
      res.status(status).render('dossier-new.njk', {
        title: 'Thêm mới bản sao từ bản chính', active: '/ban-sao/them-moi', error: message, form: fields, account,
        documentTypes: await documentTypes(), idemKey: crypto.randomUUID(),
      });
    }, []); // every refusal, a temporary one too, keeps what was typed
  });

  // --- Lists ---
  for (const [slug, spec] of Object.entries(LISTS)) r.get(`/ho-so/${slug}`, needLogin, async (req, res, next) => {
    try {
      if (spec.role) assertRole(actor(res), spec.role);
      const q = parse(dossierListQuery, req.query);
      const from = q.from ? parseVnDate(q.from) : null;
      const to = q.to ? parseVnDate(q.to) : null;
      let error = null;
      if ((q.from && !from) || (q.to && !to)) error = 'Ngày tìm kiếm không hợp lệ (dd/mm/yyyy).';
      const status = spec.statusFilter && STATUS_CHOICES.some((c) => c.value && c.value === q.status) ? q.status as DossierStatus : '';
      if (spec.statusFilter && q.status && !status) error = 'Trạng thái tìm kiếm không hợp lệ.';
      let order;
      try { order = listOrder(q, spec.sort); } catch (e) { error = (e as Error).message; order = listOrder({}, spec.sort); }
      // A supervisor's "Theo dõi" covers its agency and those under it, with a choice of one of them.
      const reach = spec.statusFilter ? await dossiers.reach(actor(res)) : [];
      const agencyCode = reach.length > 1 && reach.some((a) => a.code === q.agencyCode) ? q.agencyCode : '';
      if (q.agencyCode && !agencyCode) error = 'Cơ quan, đơn vị tìm kiếm không thuộc phạm vi theo dõi của bạn.';
      const tree = agencyCode && q.tree === '1' ? '1' : '';
      const filter = { applicantKind: q.applicantKind || 'all', code: q.code, q: q.q, fromText: q.from, toText: q.to, status, overdue: Boolean(order.overdueBefore), sort: order.sort, agencyCode, tree, timeliness: order.timeliness ?? '' };
      const result = await dossiers.list(actor(res), {
        ...(agencyCode ? { agencyCode, withSubtree: Boolean(tree) } : {}),
        statuses: status ? [status] : spec.statuses, sealerQueue: spec.sealerQueue, ...(spec.reviewQueue ? { awaitingRoles: actor(res).roles } : {}), applicantKind: q.applicantKind, code: q.code, q: q.q, from, to, ...order, page: q.page, pageSize: q.pageSize,
      });
      const pagerParams: Record<string, string> = {
        applicantKind: filter.applicantKind, code: filter.code, q: filter.q, from: filter.fromText, to: filter.toText, status, overdue: filter.overdue ? '1' : '', sort: order.sort, agencyCode, tree, timeliness: filter.timeliness,
      };
      const pageUrl = pageUrlFor(req.path, { ...pagerParams, pageSize: result.pageSize });
      // The leader's and the seal keeper's queues: a checkbox per dossier, signed or sealed together (api/batches/).
      const bulk = spec.bulk && actor(res).roles.includes(spec.bulk === 'sign' ? 'signer' : 'sealer') ? spec.bulk : null;
      res.set('Vary', 'HX-Request');
      res.render('dossier-list.njk', {
        bulk, bulkStatus: bulk === 'sign' ? 'awaiting_signature' : 'awaiting_seal', idemKey: crypto.randomUUID(),
        signers: slug === 'cho-ky' ? await signersToday(db, actor(res).agencyCode) : null,
        books: bulk === 'seal' ? (await booksForSealing(db, actor(res).agencyCode)).map((b, i) => ({ ...b, preselected: i === 0 })) : [],
        title: spec.title, active: req.path, filter, result, error, rowAction: spec.rowAction, showStatus: spec.showStatus,
        statusChoices: spec.statusFilter ? STATUS_CHOICES : null, sortChoices: SORT_CHOICES,
        agencyChoices: reach.length > 1 ? reach.map((a) => ({ value: a.code, label: `${'— '.repeat(a.depth)}${a.name}` })) : null,
        agencyNames: reach.length > 1 ? Object.fromEntries(reach.map((a) => [a.code, a.name])) : null,
        pageCount: pageCount(result.total, result.pageSize), pageUrl, pagerParams,
        applicantKinds: [
          { value: 'all', label: 'Tất cả' }, { value: 'citizen', label: 'Công dân' }, { value: 'business', label: 'Doanh nghiệp' },
          { value: 'no_account', label: 'Đối tượng không có tài khoản DVCQG' },
        ],
      });
    } catch (e) { next(e); }
  });

  // --- One dossier ---
  /** The form's edited details as the service takes them (as on "Thêm mới": the account's kind from its number).
   *  A form without them (an older page) edits nothing. */
  async function resubmitEdit(fields: Record<string, string>): Promise<Record<string, unknown>> {
    if (!fields.applicantMode) return {};
    const withAccount = fields.applicantMode !== 'no_account';
    const account = withAccount && fields.idNumber ? await dossiers.findAccount(fields.idNumber).catch(() => null) : null;
    return {
      applicantKind: withAccount ? account?.kind ?? 'citizen' : 'no_account',
      idNumber: withAccount ? fields.idNumber ?? '' : fields.otherIdNumber ?? '', fullName: withAccount ? '' : fields.fullName ?? '',
      email: fields.email ?? '', phone: fields.phone ?? '', documentType: fields.documentType, copies: fields.copies,
    };
  }

  async function renderDetail(req: Request, res: Response, code: string, status = 200, error?: string) {
    const a = actor(res);
    const d = await dossiers.get(a, code);
    const allowed = (action: Parameters<typeof checkAction>[1]) => {
      try { checkAction({ ...d, busy: Boolean(d.processing) }, action, a); return true; } catch { return false; }
    };
    const can = { sign: allowed('sign'), seal: allowed('seal'), deliver: allowed('deliver'), resubmit: allowed('resubmit'), approve: allowed('approve') };
    const process = d.process ?? DEFAULT_PROCESS;
    const reviews = reviewSteps(process);
    const current = d.status === 'awaiting_review' ? reviews[d.reviewIndex ?? 0] : undefined;
    const review = current && {
      label: stepLabel(current),
      next: (d.reviewIndex ?? 0) + 1 < reviews.length ? stepLabel(reviews[(d.reviewIndex ?? 0) + 1]) : STEP_LABELS.sign,
    };
    const processLabel = process.version ? `Phiên bản ${process.version} của quy trình đơn vị` : 'Quy trình mặc định của hệ thống';
    const books = can.seal ? await booksForSealing(db, a.agencyCode) : [];
    const signing = can.sign ? await signingForm(a, d.pageCount) : null;
    const canExportHistory = a.roles.includes('supervisor') || a.roles.includes('tester');
    // "Xử lý tiếp" edits the dossier: the active types, and its own type even if no longer offered (kept unless changed).
    const documentTypes = can.resubmit ? await dossiers.documentTypes() : [];
    if (can.resubmit && !documentTypes.some((t) => t.code === d.documentType.code)) documentTypes.unshift({ code: d.documentType.code, name: `${d.documentType.name} (đã ngừng sử dụng)` });
    res.status(status).render('dossier-detail.njk', { title: 'Xử lý cấp bản sao từ bản chính', d, can, review, processLabel, canExportHistory, documentTypes, editOpen: Boolean(error), books, signing, error, returnReasons: RETURN_REASONS, idemKey: crypto.randomUUID() });
  }

  /** What the KÝ SỐ form offers: where the signature box goes (the leader's last place, the presets), which
   *  certificate signs when the leader has more than one, the signature image the box shows. */
  async function signingForm(a: ReturnType<typeof actor>, scanPages: number) {
    const at = await dossiers.signaturePlacement(a);
    const presets = Object.entries(PLACEMENT_PRESETS).map(([key, p]) => ({ key, label: p.label, ...p.at }));
    const preset = presets.find((p) => p.x === at.x && p.y === at.y)?.key ?? 'custom';
    const { personal } = await deps.certificates.list(a);
    const usable = personal.filter((c) => c.status === 'in_use' || c.status === 'standby');
    const remote = await deps.certificates.remote.get(a).catch(() => null);
    const certificates = [
      ...usable.map((c) => ({ fingerprint: c.fingerprint, label: `${c.commonName ?? c.subject} · ${c.issuer} · đến ${vnDate(c.notAfter)}`, inUse: c.status === 'in_use' && !remote?.inUse })),
      ...(remote ? [{ fingerprint: remote.fingerprint, label: `Ký từ xa: ${remote.commonName ?? remote.subject} · đến ${vnDate(remote.notAfter)}`, inUse: remote.inUse }] : []),
    ];
    const image = await getImage(db, 'signature', a.username);
    return {
      page: attestationPageOf(scanPages), at, preset, presets, box: SIGNATURE_BOX, sheet: ATTESTATION_PAGE, limits: PLACEMENT_LIMITS,
      certificates: certificates.length > 1 ? certificates : [],
      imageUrl: image ? `/trang-ca-nhan/chu-ky/${encodeURIComponent(a.username)}?v=${image.sha256.slice(0, 16)}` : null,
      date: vnDate(new Date()),
    };
  }
  // The attestation page the leader places the signature on (PNG; without the box, which the screen draws).
  r.get('/ho-so/:code/trang-loi-chung.png', needLogin, async (req, res, next) => {
    try {
      const png = await dossiers.attestationPreview(actor(res), String(req.params.code));
      res.set({ 'Content-Type': 'image/png', 'Content-Length': String(png.length), 'Cache-Control': 'private, max-age=300', 'X-Content-Type-Options': 'nosniff' }).send(png);
    } catch (e) { next(e); }
  });
  r.get('/ho-so/:code', needLogin, async (req, res, next) => {
    try { await renderDetail(req, res, String(req.params.code)); } catch (e) { next(e); }
  });
  // Polled by the dossier's page (htmx, every 2 s) while an action runs or the workflow cannot be asked: the
  // same notice while nothing changed, then a reload of the page (HX-Refresh) once the workflow answers again.
  r.get('/ho-so/:code/dang-xu-ly', needLogin, async (req, res, next) => {
    try {
      const d = await dossiers.get(actor(res), String(req.params.code));
      res.set({ Vary: 'HX-Request', 'Cache-Control': 'no-store' });
      if (!d.processing && !d.stale) return res.set('HX-Refresh', 'true').status(200).send('');
      res.render('dossier-processing.njk', { d });
    } catch (e) { next(e); }
  });
  // "Xuất lịch sử (JSON)": the workflow's history for supervisors and testers (replays with `npm run replay`).
  r.get('/ho-so/:code/lich-su.json', needLogin, async (req, res, next) => {
    try {
      const code = String(req.params.code);
      const json = await dossiers.history(actor(res), code);
      res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="dossier-${code}.json"`, 'Cache-Control': 'private, no-store' }).send(json);
    } catch (e) { next(e); }
  });
  // "Lịch sử workflow": every event of Temporal's history in Vietnamese, for the same roles (workflow-history.ts).
  r.get('/ho-so/:code/lich-su', needLogin, async (req, res, next) => {
    try {
      const code = String(req.params.code);
      const history = await dossiers.workflowHistory(actor(res), code);
      const rows = workflowHistoryRows(history.events ?? []);
      const count = (k: HistoryRow['kind']) => rows.filter((x) => x.kind === k).length;
      const retries = rows.filter(isRetry).length;
      res.render('workflow-history.njk', {
        title: 'Lịch sử workflow', code, rows,
        summary: { events: rows.length, updates: rows.filter((x) => x.type === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED').length, activities: rows.filter(isActivityRun).length, retries, failures: count('failure'), timers: rows.filter((x) => x.type === 'EVENT_TYPE_TIMER_STARTED').length },
      });
    } catch (e) { next(e); }
  });
  r.get('/ho-so/:code/pdf', needLogin, async (req, res, next) => {
    try {
      const { ref, kind } = await dossiers.currentPdf(actor(res), String(req.params.code), String(req.query.which ?? ''));
      res.set({ 'Content-Type': 'application/pdf', 'Content-Length': String(ref.size), 'Content-Disposition': `inline; filename="${req.params.code}-${kind}.pdf"`, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' });
      deps.storage.stream(ref.sha256).on('error', next).pipe(res);
    } catch (e) { next(e); }
  });
  r.get('/ho-so/:code/tien-trinh', needLogin, async (req, res, next) => {
    try {
      const code = String(req.params.code);
      await dossiers.row(actor(res), code);
      let fromHistory = true;
      const steps = await dossierProgress(deps.temporal, code).catch(async (e) => {
        if (e?.name !== 'WorkflowNotFoundError' && !/not found/i.test(String(e?.message))) throw e;
        fromHistory = false;
        return progressFromEvents(await dossiers.events(actor(res), code));
      });
      // Archival renewals run outside the dossier's workflow: only its audit trail has them.
      if (fromHistory) steps.push(...progressFromEvents((await dossiers.events(actor(res), code)).filter((e) => e.type === 'archive_renewed')));
      // Every e-mail attempt, including the workflow's own retries (Temporal records only their outcome).
      for (const a of await attemptsOf(db, code)) {
        if (a.channel !== 'email') continue;
        const outcome = a.status === 'sent' ? 'thành công' : a.status === 'failed' ? `không thành công (${a.error ?? ''})` : 'đang gửi';
        steps.push({ at: new Date(a.updated_at).toISOString(), who: 'Hệ thống', what: `Gửi email tới ${a.address}: ${outcome}, ${a.tries} lần thử` });
      }
      steps.sort((x, y) => x.at.localeCompare(y.at));
      res.render('progress.njk', { title: 'Xem tiến trình', code, steps });
    } catch (e) { next(e); }
  });

  const action = (name: 'sign' | 'returnToCreator' | 'approve' | 'seal' | 'deliver' | 'cancel', done: (code: string, v: any) => string, redirectTo: (code: string, v: DossierView) => string) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const code = String(req.params.code);
      await renderAgainOnRefusal(res, next, async () => {
        const body = req.body as Record<string, string>;
        const args: Record<string, unknown> = { ...body };
        if (name === 'returnToCreator') args.reason = body.otherReason === undefined || (typeof body.otherReason === 'string' && !body.otherReason.trim()) ? body.reason : body.otherReason;
        const v = await dossiers.act(actor(res), code, name, args, body._key ?? '');
        // Accepted but still running (a long signature, a worker restarting): the dossier's page follows it.
        if (v.processing) {
          flash(req, PROCESSING_FLASH);
          return res.redirect(303, `/ho-so/${encodeURIComponent(code)}`);
        }
        flash(req, done(code, v));
        res.redirect(303, redirectTo(code, v));
      }, (status, message) => renderDetail(req, res, code, status, message),
      // A temporary refusal goes to the one error handler (503 with Retry-After).
      ['not_found', 'wrong_agency', 'unavailable']);
    };
  r.post('/ho-so/:code/ky-so', needLogin, action('sign', (c) => `Đã ký số hồ sơ ${c} và chuyển cấp số, đóng dấu.`, () => '/ho-so/cho-ky'));
  // Back to the queue the dossier was in: a review step's or the signature's.
  const returnedFrom = (v: DossierView) => (v.history.at(-2)?.status === 'awaiting_review' ? '/ho-so/cho-kiem-tra' : '/ho-so/cho-ky');
  r.post('/ho-so/:code/tra-lai', needLogin, action('returnToCreator', (c) => `Đã trả lại hồ sơ ${c} cho cán bộ tư pháp.`, (_c, v) => returnedFrom(v)));
  r.post('/ho-so/:code/kiem-tra', needLogin, action('approve', (c, v) => (v.status === 'awaiting_review'
    ? `Đã kiểm tra hồ sơ ${c} và chuyển bước “${stepLabel(reviewSteps(v.process ?? DEFAULT_PROCESS)[v.reviewIndex ?? 0])}”.`
    : `Đã kiểm tra hồ sơ ${c} và trình lãnh đạo ký.`), () => '/ho-so/cho-kiem-tra'));
  r.post('/ho-so/:code/dong-dau', needLogin, action('seal', (c, v) => `Đã cấp số ${v.certificationNumber} và đóng dấu hồ sơ ${c}.`, (c) => `/ho-so/${encodeURIComponent(c)}`));
  r.post('/ho-so/:code/hoan-thanh', needLogin, action('deliver', (c) => `Đã hoàn thành và chuyển bản CTĐT của hồ sơ ${c} tới người yêu cầu.`, () => '/ho-so/cho-dong-dau'));
  r.post('/ho-so/:code/huy', needLogin, action('cancel', (c) => `Đã hủy hồ sơ ${c}.`, () => '/ho-so/bi-tu-choi'));
  r.post('/ho-so/:code/xu-ly-tiep', needLogin, async (req, res, next) => {
    const code = String(req.params.code);
    await renderAgainOnRefusal(res, next, async () => {
      const { fields, file } = await parseFormUpload(req, deps.storage);
      const v = await dossiers.act(actor(res), code, 'resubmit', await resubmitEdit(fields), fields._key ?? '', file);
      if (v.processing) {
        flash(req, PROCESSING_FLASH);
        return res.redirect(303, `/ho-so/${encodeURIComponent(code)}`);
      }
      flash(req, `Đã trình ký lại hồ sơ ${code}. Lệ phí: ${formatVnd(v.fee)} (${v.pageCount} trang × ${v.copies} bản).`);
      res.redirect(303, '/ho-so/bi-tu-choi');
    }, (status, message) => renderDetail(req, res, code, status, message), ['not_found', 'wrong_agency', 'csrf', 'unavailable']);
  });

  return r;
}

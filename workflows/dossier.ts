// The whole life of one certification dossier. Sandbox fence: import only @temporalio/workflow,
// ../domain and ./messages — nothing from Node, pg, express or activity values (held by scripts/check-fence).
import {
  ActivityFailure, ApplicationFailure, TimeoutFailure, allHandlersFinished, condition, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, uuid4,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { AUDIT_ACTIONS, auditNote, type AuditEvent } from '../domain/audit.js';
import { vnDayEnd } from '../domain/vn-time.js';
import { dueDate } from '../domain/deadline.js';
import type { DossierInput, DossierState, DossierView, WorkflowOptions } from '../domain/dossier.js';
import { DomainError } from '../domain/errors.js';
import { editChanges, type FieldChange } from '../domain/dossier-edit.js';
import { actionStep, checkAction, checkReason, type Action } from '../domain/rules.js';
import { DEFAULT_PROCESS, reviewSteps, stepLabel } from '../domain/process.js';
import { isEmail } from '../domain/ids.js';
import { checkPlacement } from '../domain/placement.js';
import type { Actor } from '../domain/types.js';
import {
  approveUpdate, cancelUpdate, completeSignUpdate, deliverUpdate, prepareSignUpdate, getStateQuery, resendUpdate, resubmitUpdate, returnToCreatorUpdate, sealUpdate, signUpdate,
  submitUpdate, type ActionArgs, type SignPreparation,
} from './messages.js';
import { AGENCY_CODE, DOSSIER_CODE, DOSSIER_STATUS, SEARCH_ATTRIBUTES_PATCH } from './search-attributes.js';

type Activities = ReturnType<typeof createActivities>;

// Every activity heartbeats while it runs (activities/index.ts): a worker killed mid-activity is noticed after
// the heartbeat timeout, seconds, and the activity retried, instead of after the whole start-to-close timeout.
// Bad data (a NUL byte, a number out of range) fails at once as 'validation' and is never retried.
const HEARTBEAT_TIMEOUT = '10 seconds';
const QUICK_RETRY = { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: ['validation'] };
const quick = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: QUICK_RETRY });
// The same quick database steps (the read model and audit trail, a register number; each idempotent) as local
// activities: run by the worker that runs the workflow task and recorded in that task's completion, instead of a
// task of their own through Temporal and a workflow task after it (a dossier through deliver: 3 activity tasks
// instead of 9, about 8 workflow tasks instead of 13). A worker killed during one: the workflow task times out and
// another worker runs it again.
const quickHere = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: QUICK_RETRY });
/** Histories from before it (no marker) go on with activity tasks, as they were recorded. */
const LOCAL_QUICK_PATCH = 'local-quick-activities';
const quickly = () => (patched(LOCAL_QUICK_PATCH) ? quickHere : quick);
const DEFAULT_OPTIONS: WorkflowOptions = { redeliveryWindow: '30 days', deliveryAttempts: 6, deliveryInitialInterval: '2 seconds', pdfAttempts: 12 };

/** The end of the due day in Vietnam, or (tests, demos) a short delay after now. */
function dueEndsAt(dueDate: string, overdueAfterMs?: number): number {
  return overdueAfterMs !== undefined ? Date.now() + overdueAfterMs : vnDayEnd(dueDate).getTime();
}

/** Who the workflow's own events (overdue, delivery outcomes) are recorded as. */
const SYSTEM = { username: 'system', fullName: 'Hệ thống' };

/** How long a signature prepared for a token outside the server may be completed. */
const PREPARATION_LIFETIME_MS = 10 * 60_000;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A refusal the caller sees as a failed update with our error code as its type. */
function refuse(e: unknown): never {
  if (e instanceof DomainError) throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true });
  if (e instanceof ActivityFailure && e.cause instanceof ApplicationFailure) {
    throw ApplicationFailure.create({ type: e.cause.type ?? 'error', message: e.cause.message, nonRetryable: true });
  }
  // The activity ran out of time or attempts (a worker that kept dying, storage away): nothing was changed,
  // and the person may try again.
  if (e instanceof ActivityFailure && e.cause instanceof TimeoutFailure) {
    throw ApplicationFailure.create({ type: 'unavailable', message: 'Hệ thống chưa xử lý xong thao tác trong thời gian cho phép; hồ sơ không thay đổi, vui lòng thử lại sau ít phút.', nonRetryable: true });
  }
  throw e;
}

export async function dossierWorkflow(input: DossierInput): Promise<DossierView> {
  const options = { ...DEFAULT_OPTIONS, ...input.options };
  // Signing and sealing: retried with backoff while a trust service (the TSA) is away, then refused as temporary.
  const pdf = proxyActivities<Activities>({
    startToCloseTimeout: '3 minutes',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: options.pdfAttempts ?? DEFAULT_OPTIONS.pdfAttempts, nonRetryableErrorTypes: ['bad_file', 'validation'] },
  });
  // Sending mail is retried with backoff by the workflow; only after the last attempt is it shown as failed.
  const delivery = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { initialInterval: options.deliveryInitialInterval, backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: options.deliveryAttempts },
  });
  /** Delivery requests (the first "Hoàn thành và chuyển", then re-sends), carried out by the main loop. */
  const requests: { by: Actor; email: string | null; emailOnly: boolean }[] = [];
  const state: DossierState = {
    ...input,
    status: 'draft',
    busy: false,
    dueDate: null,
    overdue: false,
    returnReason: null,
    cancelReason: null,
    signedBy: null,
    sealedBy: null,
    signedPdf: null,
    sealedPdf: null,
    certificationNumber: null,
    registerBook: null,
    delivery: null,
    history: [],
    reviewIndex: null,
    performers: {},
    reviews: [],
  };
  // The process pinned in the input (dossiers started before processes were data: the rules they started under).
  const process = input.process ?? DEFAULT_PROCESS;
  const reviews = reviewSteps(process);
  const view = (): DossierView => {
    const { busy: _busy, ...rest } = state;
    return clone(rest);
  };
  const guard = (action: Action, actor: Actor) => {
    try { checkAction(state, action, actor); } catch (e) { refuse(e); }
  };
  /** Notes who performed the step the action performs now (for the separation of duties). Call before the change. */
  const performed = (action: Action, actor: Actor) => {
    const { key } = actionStep(state, action);
    if (!key) return;
    const who = state.performers![key] ?? [];
    if (!who.includes(actor.username)) state.performers = { ...state.performers, [key]: [...who, actor.username] };
  };
  /** After submit or resubmit: the first review step, or the signature when the process has none. */
  const toFirstStep = () => {
    state.status = reviews.length ? 'awaiting_review' : 'awaiting_signature';
    state.reviewIndex = reviews.length ? 0 : null;
  };
  /** The leader's choices for a signature, checked again here (the web server checked them first). */
  const signChoiceGuard = (actor: Actor, certificate: unknown, placement: unknown) => {
    guard('sign', actor);
    try {
      if (placement !== undefined) checkPlacement((placement ?? {}) as Record<string, unknown>, state.pageCount);
      if (certificate !== undefined && (typeof certificate !== 'string' || !/^[0-9a-f]{64}$/.test(certificate))) {
        throw new DomainError('validation', 'Chứng thư số được chọn phải là dấu vân tay SHA-256 (64 ký tự hex).', 'certificate');
      }
    } catch (e) { refuse(e); }
  };

  // Search attributes (code, agency, status) for the Temporal UI: an upsert is a command, so dossiers started
  // before them (no marker in their history) go on without.
  const searchable = patched(SEARCH_ATTRIBUTES_PATCH);
  let publishedStatus: string | null = null;
  const publishSearchAttributes = () => {
    if (!searchable || publishedStatus === state.status) return;
    upsertSearchAttributes([
      ...(publishedStatus === null ? [{ key: DOSSIER_CODE, value: state.code }, { key: AGENCY_CODE, value: state.agencyCode }] : []),
      { key: DOSSIER_STATUS, value: state.status },
    ]);
    publishedStatus = state.status;
  };

  /** Appends to the dossier's history and records the event in the read model and audit trail. */
  async function record(event: AuditEvent, who: { username: string; fullName: string }) {
    const at = new Date().toISOString();
    state.history.push({ at, action: AUDIT_ACTIONS[event.type], actor: who.username, actorName: who.fullName, status: state.status, note: auditNote(event) });
    const seq = state.history.length;
    await quickly().recordEvent({ eventId: `${state.code}#${seq}`, seq, event, actor: who.username, actorName: who.fullName, at, state: view() });
    publishSearchAttributes(); // after the read model took it: a refused change is undone and never published
  }

  /** Runs one human action: marks the dossier busy (so a concurrent action is refused), applies the change,
   * then records it in the read model and audit trail. A failure of either (e.g. bad data the read model
   * refuses) leaves the state as it was, and never leaves the dossier busy. `event` says what happened, from the
   * state after the change. */
  async function act(actor: Actor, body: () => Promise<void>, event: () => AuditEvent): Promise<DossierView> {
    const before = clone(state);
    state.busy = true;
    try {
      await body();
      await record(event(), actor);
    } catch (e) {
      Object.assign(state, before);
      refuse(e);
    } finally {
      state.busy = false;
    }
    return view();
  }

  setHandler(getStateQuery, () => (state.busy ? { ...view(), processing: true } : view()));

  setHandler(submitUpdate, ({ actor }) => act(actor, async () => {
    performed('submit', actor);
    toFirstStep();
    // Workflow time and the calendar of the input: deterministic on replay. No command changes with the calendar
    // (it is data), so no patched(): an input without one gives Monday to Friday, as before.
    state.dueDate = dueDate(new Date(), input.calendar);
  }, () => ({ type: 'submitted', payload: { dueDate: state.dueDate } })), { validator: ({ actor }) => guard('submit', actor) });

  /** An action that needs a reason (returning, cancelling): the validator refuses an empty or overlong one. */
  const withReason = (action: 'returnToCreator' | 'cancel', type: 'returned' | 'cancelled', what: string, apply: (reason: string) => void) => ({
    handler: ({ actor, reason }: ActionArgs & { reason: string }) =>
      act(actor, async () => { performed(action, actor); apply(reason.trim()); }, () => ({ type, payload: { reason: reason.trim() } })),
    validator: ({ actor, reason }: ActionArgs & { reason: string }) => {
      guard(action, actor);
      try { checkReason(reason, what); } catch (e) { refuse(e); }
    },
  });

  const returning = withReason('returnToCreator', 'returned', 'lý do trả lại', (r) => { state.status = 'returned'; state.returnReason = r; state.reviewIndex = null; });
  setHandler(returnToCreatorUpdate, returning.handler, { validator: returning.validator });

  setHandler(resubmitUpdate, ({ actor, scan, pageCount, fee, note, edit }) => {
    // The edited details (data only, no command: older histories replay unchanged), with before and after.
    let changes: FieldChange[] = [];
    return act(actor, async () => {
      if (scan && pageCount && fee !== undefined) {
        state.scan = scan;
        state.pageCount = pageCount;
        state.fee = fee;
      }
      if (edit) {
        changes = editChanges(state, edit);
        if (edit.applicant) state.applicant = edit.applicant;
        if (edit.documentType) state.documentType = edit.documentType;
        if (edit.copies !== undefined) state.copies = edit.copies;
        if (edit.fee !== undefined) state.fee = edit.fee;
      }
      performed('resubmit', actor);
      toFirstStep();
      state.returnReason = null;
    }, () => ({
      type: 'resubmitted',
      payload: { scanReplaced: Boolean(scan), pageCount: state.pageCount, fee: state.fee, note: note ?? null, ...(changes.length ? { changes } : {}) },
    }));
  }, { validator: ({ actor }) => guard('resubmit', actor) });

  const cancelling = withReason('cancel', 'cancelled', 'lý do hủy hồ sơ', (r) => { state.status = 'cancelled'; state.cancelReason = r; });
  setHandler(cancelUpdate, cancelling.handler, { validator: cancelling.validator });

  // A review step passes: the next review step, or the signature after the last one.
  setHandler(approveUpdate, ({ actor }) => {
    const index = state.reviewIndex ?? 0;
    const label = stepLabel(reviews[index] ?? { step: 'review', role: 'reviewer' });
    return act(actor, async () => {
      performed('approve', actor);
      state.reviews = [...(state.reviews ?? []), { index, label, username: actor.username, fullName: actor.fullName, at: new Date().toISOString() }];
      if (index + 1 < reviews.length) state.reviewIndex = index + 1;
      else { state.status = 'awaiting_signature'; state.reviewIndex = null; }
    }, () => ({ type: 'reviewed', payload: { index, label } }));
  }, { validator: ({ actor }) => guard('approve', actor) });

  setHandler(signUpdate, ({ actor, certificate, placement }) => act(actor, async () => {
    performed('sign', actor);
    const at = new Date().toISOString();
    state.signedPdf = await pdf.signDossier({
      dossier: view(), signer: { username: actor.username, fullName: actor.fullName, title: actor.signingTitle ?? actor.title ?? '' }, at,
      ...(certificate ? { certificate } : {}), ...(placement ? { placement } : {}),
    });
    state.signedBy = { username: actor.username, fullName: actor.fullName, title: actor.signingTitle ?? actor.title ?? '', at, ...(placement ? { placement } : {}) };
    state.status = 'awaiting_seal';
  }, () => ({ type: 'signed', payload: { signedPdf: state.signedPdf } })), { validator: ({ actor, certificate, placement }) => signChoiceGuard(actor, certificate, placement) });

  // The leader's signature made outside the server (a USB token): prepareSign keeps the prepared copy's state here,
  // outside the dossier's state (it changes nothing a person sees), until completeSign signs with it or it expires.
  // A newer preparation replaces an older one; a refused completion leaves it as it was.
  let preparation: SignPreparation | null = null;
  const refuseIf = (bad: boolean, code: 'validation' | 'wrong_state' | 'forbidden', message: string) => {
    if (bad) refuse(new DomainError(code, message));
  };

  setHandler(prepareSignUpdate, async ({ actor, certificateChain, certificate, placement }) => {
    state.busy = true;
    try {
      const at = new Date().toISOString();
      const signer = { username: actor.username, fullName: actor.fullName, title: actor.signingTitle ?? actor.title ?? '' };
      const made = await pdf.prepareExternalSignature({ dossier: view(), signer, at, certificateChain, ...(placement ? { placement } : {}) });
      preparation = {
        preparationId: uuid4(), expiresAt: new Date(Date.now() + (options.signPreparationMs ?? PREPARATION_LIFETIME_MS)).toISOString(),
        signer, at, certificateChain, certificate, scan: state.scan, ...(placement ? { placement } : {}), ...made,
      };
      return clone(preparation);
    } catch (e) {
      refuse(e);
    } finally {
      state.busy = false;
    }
  }, {
    validator: ({ actor, certificateChain, certificate, placement }) => {
      signChoiceGuard(actor, undefined, placement);
      refuseIf(!Array.isArray(certificateChain) || !certificateChain.length || certificateChain.some((c) => typeof c !== 'string' || !c)
        || typeof certificate?.fingerprint !== 'string', 'validation', 'Vui lòng gửi chuỗi chứng thư số của người ký.');
    },
  });

  setHandler(completeSignUpdate, ({ actor, preparationId, signature }) => {
    const p = preparation!;
    return act(actor, async () => {
      performed('sign', actor);
      state.signedPdf = await pdf.completeExternalSignature({ dossier: view(), preparation: p, signature });
      state.signedBy = { username: p.signer.username, fullName: p.signer.fullName, title: p.signer.title, at: p.at, ...(p.placement ? { placement: p.placement } : {}) };
      state.status = 'awaiting_seal';
      preparation = null;
    }, () => ({ type: 'signed', payload: { signedPdf: state.signedPdf } }));
  }, {
    validator: ({ actor, preparationId, signature }) => {
      guard('sign', actor);
      refuseIf(!preparation || preparation.preparationId !== preparationId, 'wrong_state', 'Không tìm thấy phiên chuẩn bị ký này (đã được dùng, đã bị thay bằng phiên mới hoặc không tồn tại): vui lòng chuẩn bị ký lại.');
      refuseIf(preparation!.signer.username !== actor.username, 'forbidden', 'Phiên chuẩn bị ký này do lãnh đạo khác tạo; bạn không được hoàn tất chữ ký của người khác.');
      refuseIf(preparation!.scan.sha256 !== state.scan.sha256, 'wrong_state', 'Bản scan của hồ sơ đã thay đổi sau khi chuẩn bị ký: vui lòng chuẩn bị ký lại.');
      refuseIf(Date.now() > Date.parse(preparation!.expiresAt), 'wrong_state', 'Phiên chuẩn bị ký đã hết hạn (10 phút): vui lòng chuẩn bị ký lại.');
      refuseIf(typeof signature !== 'string' || !signature, 'validation', 'Vui lòng gửi chữ ký số (base64).');
    },
  });

  setHandler(sealUpdate, ({ actor, registerBookId }) => act(actor, async () => {
    performed('seal', actor);
    const at = new Date().toISOString();
    const entry = await quickly().allocateCertificationNumber({ dossier: view(), registerBookId, at, signerName: state.signedBy?.fullName ?? '' });
    state.certificationNumber = entry.certificationNumber;
    state.registerBook = { id: entry.registerBookId, name: entry.registerBookName };
    state.sealedPdf = await pdf.sealDossier({ dossier: view(), at: entry.certifiedAt });
    state.sealedBy = { username: actor.username, fullName: actor.fullName, at };
    state.status = 'completed';
  }, () => ({ type: 'sealed', payload: { certificationNumber: state.certificationNumber, registerBook: state.registerBook, sealedPdf: state.sealedPdf } })), {
    validator: ({ actor, registerBookId }) => {
      guard('seal', actor);
      if (!Number.isInteger(registerBookId) || registerBookId <= 0 || registerBookId > 2_147_483_647) refuse(new DomainError('validation', 'Vui lòng chọn sổ chứng thực.'));
    },
  });

  // "Hoàn thành và chuyển": queues the delivery and answers at once; the main loop sends, with retries.
  setHandler(deliverUpdate, ({ actor }) => act(actor, async () => {
    requests.push({ by: actor, email: null, emailOnly: false });
    state.delivery = { status: 'pending', at: new Date().toISOString(), email: state.applicant.email, portal: Boolean(state.applicant.accountUsername), error: null, requests: 1 };
  }, () => ({ type: 'delivery_requested', payload: { email: state.applicant.email, portal: Boolean(state.applicant.accountUsername) } })), { validator: ({ actor }) => guard('deliver', actor) });

  // "Gửi lại email": optionally to a corrected address.
  setHandler(resendUpdate, ({ actor, email }) => {
    const to = email?.trim() || null;
    return act(actor, async () => {
      if (to) state.applicant = { ...state.applicant, email: to };
      requests.push({ by: actor, email: state.applicant.email, emailOnly: true });
      state.delivery = { ...state.delivery!, status: 'pending', email: state.applicant.email, error: null, requests: state.delivery!.requests + 1 };
    }, () => ({ type: 'resend_requested', payload: { email: state.applicant.email, corrected: Boolean(to) } }));
  }, {
    validator: ({ actor, email }) => {
      guard('resend', actor);
      const to = email?.trim();
      if (to && !isEmail(to)) refuse(new DomainError('validation', 'Địa chỉ email không hợp lệ.'));
      if (!to && !state.applicant.email) refuse(new DomainError('validation', 'Vui lòng nhập địa chỉ email để gửi lại bản sao điện tử.'));
    },
  });

  const settled = () => state.status === 'cancelled' || state.status === 'completed';
  if (patched('due-date-overdue')) {
    // Escalation: when the due date (NĐ 23/2015 Điều 7) passes while the dossier still waits on people, the
    // dossier is marked overdue in its history and the read model. Histories from before this are replayed as
    // they were (patched() is false for them).
    while (!settled()) {
      if (!state.dueDate || state.overdue) {
        await condition(() => settled() || (state.dueDate !== null && !state.overdue));
        continue;
      }
      const day = state.dueDate;
      const due = dueEndsAt(day, options.overdueAfterMs);
      if (await condition(settled, Math.max(due - Date.now(), 1))) break;
      await condition(() => !state.busy); // never between an action's change and its rollback
      if (settled()) break;
      state.overdue = true;
      await record({ type: 'overdue', payload: { dueDate: day } }, SYSTEM);
    }
  } else {
    await condition(settled);
  }
  if (state.status === 'completed' && process.autoDeliver && !state.delivery) {
    // The agency's process sends the e-copy as soon as it is sealed, as "Hoàn thành và chuyển" would.
    await condition(() => !state.busy);
    requests.push({ by: { ...SYSTEM, agencyCode: state.agencyCode, roles: [] }, email: null, emailOnly: false });
    state.delivery = { status: 'pending', at: new Date().toISOString(), email: state.applicant.email, portal: Boolean(state.applicant.accountUsername), error: null, requests: 1 };
    await record({ type: 'delivery_requested', payload: { email: state.applicant.email, portal: Boolean(state.applicant.accountUsername) } }, SYSTEM);
  }
  if (state.status === 'completed') {
    // Deliver, then stay open for re-sends until the redelivery window passes without a request.
    for (;;) {
      const waiting = () => requests.length > 0;
      const more = state.delivery?.status === 'sent' ? await condition(waiting, options.redeliveryWindow) : (await condition(waiting), true);
      if (!more) break;
      const req = requests.shift()!;
      const n = state.delivery?.requests ?? 1;
      try {
        const sent = await delivery.deliverDossier({ dossier: view(), attemptKey: `${state.code}:delivery:${n}`, requestedBy: req.by.username, emailOnly: req.emailOnly });
        state.delivery = { status: 'sent', at: sent.at, email: sent.email, portal: sent.portal || Boolean(state.delivery?.portal), error: null, requests: n };
        await record({ type: 'delivered', payload: { email: sent.email, portal: sent.portal } }, SYSTEM);
      } catch (e) {
        const reason = e instanceof ActivityFailure && e.cause ? e.cause.message : String((e as Error).message);
        state.delivery = { ...state.delivery!, status: 'failed', error: reason };
        await record({ type: 'delivery_failed', payload: { error: reason } }, SYSTEM);
      }
    }
  }
  await condition(allHandlersFinished);
  return view();
}

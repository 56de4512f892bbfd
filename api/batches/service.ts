// Signing or sealing several dossiers in one action (domain/batch.ts, workflows/batch.ts). The request is checked
// here (role, the dossiers are the actor's agency's, at most BATCH_MAX, a register book for seals); each dossier's
// own workflow checks the actor again when the batch acts on it. The batch id comes from the form's or the
// request's idempotency key, so a double click or a repeat joins the first batch instead of starting a second.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import crypto from 'node:crypto';
import { BATCH_MAX, batchProgress, batchWorkflowId, type BatchKind, type BatchState } from '../../domain/batch.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { getBatchQuery } from '../../workflows/batch-messages.js';
import { batchWorkflow } from '../../workflows/batch.js';
import { withSigningTitle } from '../dossiers/service.js';
import { assertRole } from '../http/guards.js';
import { checkIdempotencyKey } from '../http/idempotency.js';
import { updateError } from '../http/workflow-errors.js';
import * as q from './queries.js';

const NOT_FOUND = 'Không tìm thấy lượt ký số, đóng dấu hàng loạt này.';
const ROLE_MESSAGES: Record<BatchKind, string> = {
  sign: 'Bạn không có Quyền ký bản sao để thực hiện thao tác này.',
  seal: 'Bạn không có Quyền đóng dấu bản sao để thực hiện thao tác này.',
};

export interface BatchRequest { kind: BatchKind; codes: string[]; registerBookId?: number }

export class BatchService {
  constructor(private readonly db: Db, private readonly temporal: Client, private readonly taskQueue: string) {}

  async start(actor: Actor, req: BatchRequest, idempotencyKey: string): Promise<BatchState> {
    assertRole(actor, req.kind === 'sign' ? 'signer' : 'sealer', ROLE_MESSAGES[req.kind]);
    const codes = [...new Set(req.codes)];
    if (!codes.length) throw new DomainError('validation', 'Vui lòng chọn ít nhất một hồ sơ.', 'codes');
    if (codes.length > BATCH_MAX) throw new DomainError('validation', `Mỗi lượt chọn tối đa ${BATCH_MAX} hồ sơ.`, 'codes');
    if (req.kind === 'seal' && !req.registerBookId) throw new DomainError('validation', 'Vui lòng chọn sổ chứng thực.', 'registerBookId');
    // Another agency's dossier is as unknown as one that does not exist.
    const own = new Set((await q.dossierAgencies(this.db, codes)).filter((r) => r.agency_code === actor.agencyCode).map((r) => r.code));
    const unknown = codes.filter((c) => !own.has(c));
    if (unknown.length) throw new DomainError('not_found', `Không tìm thấy hồ sơ ${unknown.join(', ')}.`, 'codes');
    const key = checkIdempotencyKey(idempotencyKey) || crypto.randomUUID();
    // The person and the key: another person's key never names this batch.
    const id = crypto.createHash('sha256').update(`${actor.username}:${key}`).digest('hex').slice(0, 32);
    try {
      await this.temporal.workflow.start(batchWorkflow, {
        workflowId: batchWorkflowId(id), taskQueue: this.taskQueue,
        args: [{ id, kind: req.kind, actor: req.kind === 'sign' ? await withSigningTitle(this.db, actor) : actor, codes, ...(req.kind === 'seal' ? { registerBookId: req.registerBookId } : {}), createdAt: new Date().toISOString() }],
        workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (e) {
      // Started and already finished under the same key: that batch is the answer.
      if ((e as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw updateError(e, NOT_FOUND);
    }
    return this.get(actor, id);
  }

  /** A batch, for the person who started it (or another holder of the role in the same agency); else 404. */
  async get(actor: Actor, id: string): Promise<BatchState> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new DomainError('not_found', NOT_FOUND);
    let state: BatchState;
    try {
      state = await this.temporal.workflow.getHandle(batchWorkflowId(id)).query(getBatchQuery);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new DomainError('not_found', NOT_FOUND);
      throw updateError(e, NOT_FOUND);
    }
    const role = state.kind === 'sign' ? 'signer' : 'sealer';
    if (state.actor.agencyCode !== actor.agencyCode || !(state.actor.username === actor.username || actor.roles.includes(role))) {
      throw new DomainError('not_found', NOT_FOUND);
    }
    return state;
  }
}

/** The batch as the API answers it: its items and the counts. */
export function batchJson(s: BatchState) {
  return { ...s, progress: batchProgress(s) };
}

// The batch's one activity (workflows/batch.ts): sends one dossier's workflow the batch's signature or seal, as the
// leader or seal keeper would from the dossier's page, and answers what happened. The update id is the batch's and
// the dossier's, so a retried activity joins the first update instead of signing twice. A refusal by the dossier
// (not awaiting signature any more, another person's step, no such book) is the answer for that dossier; only
// temporary trouble is thrown, for Temporal to retry.
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchKind, BatchOutcome } from '../domain/batch.js';
import { checkPlacement } from '../domain/placement.js';
import type { Actor } from '../domain/types.js';
import type { Db } from '../lib/db.js';
import { sealUpdate, signUpdate, workflowIdFor } from '../workflows/messages.js';

/** The leader's default place for the signature box (also read by the dossier's page: api/dossiers/queries.ts). */
export const signaturePlacementOf = (db: Db, username: string) =>
  db.selectFrom('signature_placements').select(['x', 'y']).where('username', '=', username).executeTakeFirst();

export function batchActivities({ db, temporal }: { db: Db; temporal?: Client }) {
  return {
    async actOnDossier(a: { batchId: string; kind: BatchKind; actor: Actor; code: string; registerBookId?: number }): Promise<BatchOutcome> {
      if (!temporal) throw new Error('batch activities need a Temporal client (worker.ts)');
      const handle = temporal.workflow.getHandle(workflowIdFor(a.code));
      const updateId = `batch:${a.batchId}:${a.code}`;
      try {
        if (a.kind === 'sign') {
          // As from the dossier's page without a choice: the certificate in use, the leader's default place.
          const row = await db.selectFrom('dossiers').select('page_count').where('code', '=', a.code).executeTakeFirst();
          const saved = await signaturePlacementOf(db, a.actor.username);
          let placement;
          if (saved && row) try { placement = checkPlacement(saved, row.page_count); } catch { /* the default place */ }
          await handle.executeUpdate(signUpdate, { args: [{ actor: a.actor, ...(placement ? { placement } : {}) }], updateId });
          return { ok: true, certificationNumber: null };
        }
        const v = await handle.executeUpdate(sealUpdate, { args: [{ actor: a.actor, registerBookId: a.registerBookId ?? 0 }], updateId });
        return { ok: true, certificationNumber: v.certificationNumber };
      } catch (e) {
        if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) return { ok: false, message: e.cause.message };
        if (e instanceof WorkflowNotFoundError || /workflow execution already completed/i.test(String((e as Error)?.message ?? ''))) {
          return { ok: false, message: 'Hồ sơ đã kết thúc quy trình, không còn nhận thao tác này.' };
        }
        if (isGrpcServiceError(e) && (e as { code?: number }).code === 3) return { ok: false, message: 'Hồ sơ không hợp lệ.' };
        throw e;
      }
    },
  };
}

// A batch of signatures or seals (domain/batch.ts): acts on each dossier's own workflow through one activity per
// dossier (the activity sends the dossier its update, with an update id of the batch, so a retry never acts twice),
// records each result, and goes on after a failure. Signatures run a few at a time; seals one after another, in
// the order chosen, so the certification numbers follow it. Sandbox fence: @temporalio/workflow, ../domain, local files.
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { BatchInput, BatchItem, BatchState } from '../domain/batch.js';
import { getBatchQuery } from './batch-messages.js';

type Activities = ReturnType<typeof createActivities>;

// The dossier's own update waits for its signing activity, which rides out a TSA outage for minutes: long enough.
// Temporary trouble (Temporal or the worker restarting) is retried; a refusal of the dossier is a result, not an error.
const { actOnDossier } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** Signatures in flight at once: the worker signs them in parallel, within its activity slots. */
const SIGN_PARALLEL = 4;

export async function batchWorkflow(input: BatchInput): Promise<BatchState> {
  const state: BatchState = {
    id: input.id, kind: input.kind, registerBookId: input.registerBookId ?? null, createdAt: input.createdAt, finishedAt: null,
    actor: { username: input.actor.username, fullName: input.actor.fullName, agencyCode: input.actor.agencyCode },
    items: input.codes.map((code) => ({ code, status: 'pending', message: null, certificationNumber: null })),
  };
  setHandler(getBatchQuery, () => JSON.parse(JSON.stringify(state)) as BatchState);

  const run = async (item: BatchItem) => {
    try {
      const r = await actOnDossier({ batchId: input.id, kind: input.kind, actor: input.actor, code: item.code, registerBookId: input.registerBookId });
      if (r.ok) { item.status = 'done'; item.certificationNumber = r.certificationNumber; } else { item.status = 'failed'; item.message = r.message; }
    } catch (e) {
      item.status = 'failed';
      item.message = 'Không thực hiện được sau nhiều lần thử; vui lòng thử lại hồ sơ này.';
    }
  };

  const parallel = input.kind === 'sign' ? SIGN_PARALLEL : 1;
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, state.items.length) }, async () => {
    while (next < state.items.length) await run(state.items[next++]!);
  }));
  state.finishedAt = new Date().toISOString();
  return state;
}

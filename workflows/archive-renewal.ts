// The archival renewal run, started daily by the Temporal Schedule `archive-renewal` (activities/archive-schedule.ts):
// pages through the issued e-copies, renews those due, and continues as new before its history grows large.
// Sandbox fence: @temporalio/workflow and types only.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

export interface ArchiveRenewalInput {
  /** Dossier code the next page starts after (a continued run). */
  after?: string | null;
  /** E-copies renewed so far by this run and the runs it continued. */
  renewed?: number;
  /** The run's clock: the schedule's start time, kept across continue-as-new. */
  at?: string;
  pageSize?: number;
  /** Pages in one run before it continues as new (default 20; each page: one listing, up to pageSize renewals). */
  pagesPerRun?: number;
  /** First retry delay of a renewal whose TSA or OCSP responder is down (doubles up to an hour). */
  retryInitialInterval?: string;
}

export async function archiveRenewalWorkflow(input: ArchiveRenewalInput = {}): Promise<{ renewed: number }> {
  const listing = proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  // Retried until the trust services answer: nothing is written before they do (activities/archive-renewal.ts).
  const renewing = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes', heartbeatTimeout: '30 seconds',
    retry: { initialInterval: input.retryInitialInterval ?? '1 minute', backoffCoefficient: 2, maximumInterval: '1 hour', nonRetryableErrorTypes: ['wrong_state', 'no_tsa', 'validation'] },
  });
  const at = input.at ?? new Date(workflowInfo().startTime).toISOString();
  const pageSize = input.pageSize ?? 50;
  let after = input.after ?? null;
  let renewed = input.renewed ?? 0;
  for (let page = 0; ; page++) {
    if (page >= (input.pagesPerRun ?? 20) || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof archiveRenewalWorkflow>({ ...input, after, renewed, at });
    }
    const { due, next } = await listing.listDueEcopies({ after, limit: pageSize, at });
    for (const e of due) if ((await renewing.renewEcopy(e)).renewed) renewed++;
    if (next === null) return { renewed };
    after = next;
  }
}

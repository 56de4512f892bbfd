// Signing or sealing several dossiers in one action (ký số, đóng dấu hàng loạt): a batch. Each dossier stays its own
// workflow and gets its own signature; the batch is a workflow of its own that acts on them one by one (sealing in
// the order chosen, so the numbers follow that order), reports each result, and lets a failure of one not stop
// the others. Sandbox-safe: types and constants only.
import type { Actor } from './types.js';

export type BatchKind = 'sign' | 'seal';

/** The most dossiers in one batch (the seed's lists show 10–100 rows a page). */
export const BATCH_MAX = 100;

export interface BatchInput {
  id: string;
  kind: BatchKind;
  /** The leader or seal keeper who asked, from their session: every dossier's workflow checks them again. */
  actor: Actor;
  codes: string[];
  /** Sealing: the register book that numbers every dossier of the batch. */
  registerBookId?: number;
  createdAt: string;
}

export type BatchItemStatus = 'pending' | 'done' | 'failed';

export interface BatchItem {
  code: string;
  status: BatchItemStatus;
  /** Why it failed, in the dossier workflow's own words. */
  message: string | null;
  /** Sealing: the number it got. */
  certificationNumber: string | null;
}

export interface BatchState {
  id: string;
  kind: BatchKind;
  actor: { username: string; fullName: string; agencyCode: string };
  registerBookId: number | null;
  createdAt: string;
  items: BatchItem[];
  finishedAt: string | null;
}

/** What one dossier's action gave (the batch's activity answers it; a refusal is a result, not an error). */
export type BatchOutcome = { ok: true; certificationNumber: string | null } | { ok: false; message: string };

export const BATCH_KIND_LABELS: Record<BatchKind, string> = { sign: 'Ký số hàng loạt', seal: 'Đóng dấu hàng loạt' };

export const batchWorkflowId = (id: string) => `batch-${id}`;

/** Counts for the progress bar. */
export function batchProgress(s: BatchState): { total: number; done: number; failed: number; pending: number; finished: boolean } {
  const count = (st: BatchItemStatus) => s.items.filter((i) => i.status === st).length;
  return { total: s.items.length, done: count('done'), failed: count('failed'), pending: count('pending'), finished: s.finishedAt !== null };
}

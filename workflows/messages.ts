// Message definitions shared by the workflow and the web server (sandbox-safe).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DossierView } from '../domain/dossier.js';
import type { Actor, FileRef } from '../domain/types.js';

export interface ActionArgs {
  actor: Actor;
}

export const submitUpdate = defineUpdate<DossierView, [ActionArgs]>('submit');
export const returnToCreatorUpdate = defineUpdate<DossierView, [ActionArgs & { reason: string }]>('returnToCreator');
export const resubmitUpdate = defineUpdate<DossierView, [ActionArgs & { scan?: FileRef; pageCount?: number; fee?: number; note?: string }]>('resubmit');
export const cancelUpdate = defineUpdate<DossierView, [ActionArgs & { reason: string }]>('cancel');
export const signUpdate = defineUpdate<DossierView, [ActionArgs]>('sign');
export const sealUpdate = defineUpdate<DossierView, [ActionArgs & { registerBookId: number }]>('seal');
export const deliverUpdate = defineUpdate<DossierView, [ActionArgs]>('deliver');
export const resendUpdate = defineUpdate<DossierView, [ActionArgs & { email?: string | null }]>('resend');
/** The dossier as it is now; `processing` while an accepted action is still running (e.g. the signature). */
export const getStateQuery = defineQuery<DossierView & { processing?: boolean }>('getState');

export const TASK_QUEUE = 'dossiers';
export const workflowIdFor = (dossierCode: string) => `dossier-${dossierCode}`;

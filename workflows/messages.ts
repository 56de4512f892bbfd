// Message definitions shared by the workflow and the web server (sandbox-safe).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DossierView } from '../domain/dossier.js';
import type { DossierEdit } from '../domain/dossier-edit.js';
import type { SignaturePlacement } from '../domain/placement.js';
import type { Actor, FileRef } from '../domain/types.js';

export interface ActionArgs {
  actor: Actor;
}

export const submitUpdate = defineUpdate<DossierView, [ActionArgs]>('submit');
export const returnToCreatorUpdate = defineUpdate<DossierView, [ActionArgs & { reason: string }]>('returnToCreator');
/** `edit`: the dossier's new details (domain/dossier-edit.ts), only what changed; absent in older requests. */
export const resubmitUpdate = defineUpdate<DossierView, [ActionArgs & { scan?: FileRef; pageCount?: number; fee?: number; note?: string; edit?: DossierEdit }]>('resubmit');
/** A review step of the agency's process passes: the dossier goes to the next review step, or to the signature. */
export const approveUpdate = defineUpdate<DossierView, [ActionArgs]>('approve');
export const cancelUpdate = defineUpdate<DossierView, [ActionArgs & { reason: string }]>('cancel');
/** What the leader chose for a signature: a certificate of theirs (SHA-256 fingerprint, else the one in use) and
 *  where the box goes on the attestation page (else the right column); both already checked by the web server. */
export interface SignChoice {
  certificate?: string;
  placement?: SignaturePlacement;
}
export const signUpdate = defineUpdate<DossierView, [ActionArgs & SignChoice]>('sign');
export const sealUpdate = defineUpdate<DossierView, [ActionArgs & { registerBookId: number }]>('seal');
export const deliverUpdate = defineUpdate<DossierView, [ActionArgs]>('deliver');
export const resendUpdate = defineUpdate<DossierView, [ActionArgs & { email?: string | null }]>('resend');
/** A signature being made outside the server (a leader's USB token): what the workflow keeps between
 *  `prepareSign` and `completeSign`. Binary values are base64. */
export interface SignPreparation {
  preparationId: string;
  /** ISO instant after which `completeSign` is refused (10 minutes after the preparation). */
  expiresAt: string;
  signer: { username: string; fullName: string; title: string };
  /** The signing time written into the attestation page and the signature dictionary. */
  at: string;
  /** The signer's certificate chain, DER, leaf first, as given to prepare and checked by the server. */
  certificateChain: string[];
  /** The signer's certificate (SHA-256 of its DER, holder) as the history names it. */
  certificate: { fingerprint: string; holder: string };
  /** Where the signature box is on the attestation page (absent: the right column). */
  placement?: SignaturePlacement;
  /** The scan the copy was prepared from: a preparation made before a resubmission with a new scan cannot complete. */
  scan: FileRef;
  /** The scan + attestation page + placeholder with its /ByteRange filled, in file storage; with `preparedOn`, only
   *  the bytes appended to that file (an incremental update on the scan, which storage holds already). */
  prepared: FileRef;
  /** The file `prepared` is appended to (the scan), when it was stored as an incremental update only. */
  preparedOn?: FileRef;
  /** DER SET of the signed attributes: the bytes the token signs (SHA-256 + PKCS#1 v1.5 or ECDSA). */
  signedAttributes: string;
  /** SHA-256 of `signedAttributes`: for a tool that signs a precomputed hash. */
  digest: string;
  /** The attestation template version the prepared page was drawn with (the signed file records it). */
  templateVersion?: number;
}

/** Prepares a signature outside the server: the attestation page, the placeholder and the attributes to sign. */
export const prepareSignUpdate = defineUpdate<SignPreparation, [ActionArgs & { certificateChain: string[]; certificate: SignPreparation['certificate']; placement?: SignaturePlacement }]>('prepareSign');
/** Completes a prepared signature with the raw signature over its signed attributes. */
export const completeSignUpdate = defineUpdate<DossierView, [ActionArgs & { preparationId: string; signature: string }]>('completeSign');
/** The dossier as it is now; `processing` while an accepted action is still running (e.g. the signature). */
export const getStateQuery = defineQuery<DossierView & { processing?: boolean }>('getState');

export const TASK_QUEUE = 'dossiers';
export const workflowIdFor = (dossierCode: string) => `dossier-${dossierCode}`;

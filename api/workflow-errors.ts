// How a refused or impossible workflow update reaches the screens and the API: as our error type, keeping the
// workflow's Vietnamese message and its error code.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, type ErrorCode } from '../domain/errors.js';

const KNOWN_CODES = new Set<ErrorCode>(['validation', 'forbidden', 'wrong_agency', 'wrong_state', 'busy', 'not_found', 'conflict', 'bad_file', 'unauthenticated']);

/** The workflow no longer exists (past retention) or was never started: it takes no more updates. */
export class WorkflowGone extends DomainError {
  constructor(message: string) { super('not_found', message); }
}

/** `finished` says, in the caller's words, that the workflow has already finished its work. */
export function updateError(e: unknown, finished: string): unknown {
  if (e instanceof DomainError) return e;
  if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
    const type = (e.cause.type ?? '') as ErrorCode;
    return new DomainError(KNOWN_CODES.has(type) ? type : 'conflict', e.cause.message);
  }
  if (e instanceof WorkflowNotFoundError) return new WorkflowGone(finished);
  if (/workflow execution already completed/i.test(String((e as Error)?.message ?? ''))) return new DomainError('wrong_state', finished);
  return e;
}

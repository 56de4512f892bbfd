// How a refused or impossible workflow update reaches the screens and the API: as our error type, keeping the
// workflow's Vietnamese message and its error code.
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, REMOTE_SIGNING_UNAVAILABLE, REVOCATION_UNAVAILABLE, TOKEN_UNAVAILABLE, TSA_UNAVAILABLE, type ErrorCode } from '../../domain/errors.js';

const KNOWN_CODES = new Set<ErrorCode>(['validation', 'forbidden', 'wrong_agency', 'wrong_state', 'busy', 'not_found', 'conflict', 'bad_file', 'unauthenticated', 'unavailable', 'certificate_revoked', 'signing_key_unusable', 'certificate_refused', 'signature_invalid']);

/** The workflow no longer exists (past retention) or was never started: it takes no more updates. */
export class WorkflowGone extends DomainError {
  constructor(message: string) { super('not_found', message); }
}

export const UNAVAILABLE_MESSAGE = 'Hệ thống đang bận hoặc đang khởi động lại, chưa xử lý được yêu cầu. Vui lòng thử lại sau ít giây.';

// gRPC status codes that mean "not now": CANCELLED (our own wait ran out), DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
// FAILED_PRECONDITION (e.g. "Workflow Task in failed state", "workflow not ready"), ABORTED, UNAVAILABLE.
const TEMPORARY_GRPC = new Set([1, 4, 8, 9, 10, 14]);
const TEMPORARY_TEXT = /workflow task in failed state|not ready|deadline exceeded|timed? ?out|unavailable|resource exhausted|no connection|ECONNREFUSED/i;

/**
 * A temporary refusal by Temporal: the worker is down or restarting (a query or an update times out), the
 * workflow task is failing for now, the server is unreachable. The caller may simply try again.
 */
export function isTemporaryRefusal(e: unknown): boolean {
  if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  for (let err = e as { cause?: unknown } | undefined, depth = 0; err && depth < 5; err = err.cause as typeof err, depth++) {
    if (isGrpcServiceError(err)) {
      const code = (err as { code?: number }).code ?? -1;
      if (code === 9) return TEMPORARY_TEXT.test(String((err as Error).message));
      return TEMPORARY_GRPC.has(code);
    }
    if (err instanceof Error && err.name === 'ServiceError' && TEMPORARY_TEXT.test(err.message)) return true;
  }
  return false;
}

/** `finished` says, in the caller's words, that the workflow has already finished its work. */
export function updateError(e: unknown, finished: string): unknown {
  if (e instanceof DomainError) return e;
  if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
    const type = (e.cause.type ?? '') as ErrorCode;
    // A signature that ran out of attempts waiting for the TSA, the OCSP/CRL, the seal's token or the remote signing service: nothing changed, try again later.
    if ([TSA_UNAVAILABLE, REVOCATION_UNAVAILABLE, TOKEN_UNAVAILABLE, REMOTE_SIGNING_UNAVAILABLE].includes(type as string)) return new DomainError('unavailable', e.cause.message);
    return new DomainError(KNOWN_CODES.has(type) ? type : 'conflict', e.cause.message);
  }
  if (e instanceof WorkflowNotFoundError) return new WorkflowGone(finished);
  if (/workflow execution already completed/i.test(String((e as Error)?.message ?? ''))) return new DomainError('wrong_state', finished);
  if (isTemporaryRefusal(e)) return new DomainError('unavailable', UNAVAILABLE_MESSAGE);
  return e;
}

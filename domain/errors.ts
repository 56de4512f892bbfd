// One error type with codes, and one table mapping codes to HTTP status (sandbox-safe).

/** The failure type of a signing or sealing attempt that the time-stamping authority made fail (retried). */
export const TSA_UNAVAILABLE = 'tsa_unavailable';
/** The failure type of a signing or sealing attempt that the OCSP responder / CRL of the signer's CA made fail (retried). */
export const REVOCATION_UNAVAILABLE = 'revocation_unavailable';
/** The failure type of a sealing attempt whose PKCS#11 token or HSM could not be reached (retried). */
export const TOKEN_UNAVAILABLE = 'token_unavailable';
/** The failure type of a signing attempt whose remote signing service (CSC API) could not be reached (retried). */
export const REMOTE_SIGNING_UNAVAILABLE = 'remote_signing_unavailable';

export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'wrong_agency'
  | 'wrong_state'
  | 'busy'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'bad_file'
  | 'csrf'
  | 'throttled'
  /** The signer's certificate was revoked by its CA: signing with it is refused for good (a new one is needed). */
  | 'certificate_revoked'
  /** An uploaded certificate fails a check (expired, untrusted, revoked, not for signing…): nothing was stored. */
  | 'certificate_refused'
  /** The signing key cannot be used (its token refused the PIN, has no such key or certificate): not retried, an administrator acts. */
  | 'signing_key_unusable'
  /** A signature made outside the server does not verify with the certificate it was prepared for: nothing changed. */
  | 'signature_invalid'
  /** A temporary refusal (the workflow engine or worker cannot answer now): try again shortly. */
  | 'unavailable';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  bad_file: 400,
  unauthenticated: 401,
  csrf: 403,
  forbidden: 403,
  wrong_agency: 403,
  not_found: 404,
  wrong_state: 409,
  busy: 409,
  conflict: 409,
  // 422: the request is well-formed and the dossier in the right state, but the certificate it would be signed
  // with cannot be used; no retry helps until an administrator issues a new one (409 would say "state conflict").
  certificate_revoked: 422,
  certificate_refused: 422,
  signing_key_unusable: 422,
  signature_invalid: 422,
  too_large: 413,
  throttled: 429,
  unavailable: 503,
};

/** Seconds a client should wait before retrying a temporary refusal ('unavailable'): the Retry-After header. */
export const RETRY_AFTER_SECONDS = 5;

export class DomainError extends Error {
  constructor(public readonly code: ErrorCode, message: string, public readonly field?: string) {
    super(message);
    this.name = 'DomainError';
  }
}

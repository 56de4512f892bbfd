// "Show the form again with the error": a refusal (a DomainError the user can correct) renders the screen again
// with its status and message; anything else goes to the one error handler (api/http/errors.ts).
import type { NextFunction, Response } from 'express';
import { DomainError, HTTP_STATUS, type ErrorCode } from '../../domain/errors.js';

/**
 * Runs `action`; on a DomainError whose code is not in `passOn`, calls `again(status, message, error)` to render
 * the screen again. `passOn` lists refusals that are not about the form (a missing dossier, a temporary outage).
 */
export async function renderAgainOnRefusal(
  res: Response, next: NextFunction, action: () => Promise<unknown>,
  again: (status: number, message: string, error: DomainError) => Promise<unknown> | unknown,
  passOn: readonly ErrorCode[] = ['unavailable'],
): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (e instanceof DomainError && !passOn.includes(e.code)) {
      try { await again(HTTP_STATUS[e.code] ?? 400, e.message, e); } catch (e2) { next(e2); }
      return;
    }
    next(e);
  }
}

// All activities, built from their dependencies (the workflow imports only the type of this factory).
// Every activity runs inside one wrapper (`guarded`) that keeps it heartbeating while it runs, and turns bad
// data, which no retry can cure, into a non-retryable refusal.
import { ApplicationFailure } from '@temporalio/activity';
import { DomainError } from '../domain/errors.js';
import { appointmentActivities } from './appointments.js';
import { archiveRenewalActivities } from './archive-renewal.js';
import { batchActivities } from './batch.js';
import { webhookActivities } from './webhooks.js';
import type { ActivityDeps } from './deps.js';
import { deliveryActivities } from './delivery.js';
import { externalSigningActivities } from './external-signing.js';
import { whileBeating } from './heartbeat.js';
import { readModelActivities } from './read-model.js';
import { registerActivities } from './register.js';
import { signingActivities } from './signing.js';

export function createActivities(deps: ActivityDeps) {
  return guardAll({
    ...readModelActivities(deps),
    ...signingActivities(deps),
    ...externalSigningActivities(deps),
    ...registerActivities(deps),
    ...deliveryActivities(deps),
    ...appointmentActivities(deps),
    ...archiveRenewalActivities(deps),
    ...batchActivities(deps),
    ...webhookActivities(deps),
  });
}

/**
 * SQLSTATE classes that no retry can cure: 22 (data exception: a NUL byte, a number out of range, text too
 * long) and the integrity violations that depend only on the data sent (NOT NULL, CHECK).
 */
function dataExceptionMessage(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || !('severity' in (e as object))) return null;
  if (code === '22021' || code === '22P05') {
    return 'Dữ liệu có ký tự không hợp lệ (ví dụ ký tự NUL); vui lòng kiểm tra lại nội dung đã nhập.';
  }
  if (code === '22003') return 'Giá trị số vượt quá giới hạn cho phép; vui lòng kiểm tra lại.';
  if (code === '22001') return 'Nội dung đã nhập quá dài; vui lòng rút gọn.';
  if (code === '22007' || code === '22008') return 'Ngày giờ không hợp lệ; vui lòng kiểm tra lại.';
  if (code.startsWith('22') || code === '23502' || code === '23514') return 'Dữ liệu không hợp lệ nên không thể lưu; vui lòng kiểm tra lại nội dung đã nhập.';
  return null;
}

/** What an activity's failure becomes: our refusals and bad data are final (validation), anything else is retried. */
export function classify(e: unknown): unknown {
  if (e instanceof ApplicationFailure) return e;
  if (e instanceof DomainError) return ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true });
  const message = dataExceptionMessage(e);
  if (message) {
    console.warn(`activity refused bad data: ${(e as { code: string }).code} ${(e as Error).message}`);
    return ApplicationFailure.create({ type: 'validation', message, nonRetryable: true, cause: e instanceof Error ? e : undefined });
  }
  return e;
}

type Fn = (...args: never[]) => Promise<unknown>;

function guarded<F extends Fn>(fn: F): F {
  return (async (...args: Parameters<F>) => {
    try {
      return await whileBeating(() => fn(...args));
    } catch (e) {
      throw classify(e);
    }
  }) as F;
}

function guardAll<T extends Record<string, Fn>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, guarded(fn)])) as T;
}

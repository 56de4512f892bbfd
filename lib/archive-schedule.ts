// The Temporal Schedule that starts the archival renewal run (workflows/archive-renewal.ts): created or brought
// up to date by every worker start (idempotent: two workers starting together end with one schedule), paused when
// ARCHIVE_RENEWAL=off. Overlap SKIP: a run still busy (a TSA down for hours) is not joined by the next one.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { ArchiveRenewalConfig } from './config.js';

export const ARCHIVE_RENEWAL_WORKFLOW = 'archiveRenewalWorkflow';
/** One schedule per task queue (one per deployment; tests run side by side on one server). */
export const archiveRenewalScheduleId = (taskQueue: string) => `archive-renewal-${taskQueue}`;

export async function ensureArchiveRenewalSchedule(client: Client, config: ArchiveRenewalConfig, taskQueue: string): Promise<void> {
  const spec: ScheduleSpec = 'cron' in config.schedule
    ? { cronExpressions: [config.schedule.cron], timezone: 'Asia/Ho_Chi_Minh' }
    : { intervals: [{ every: config.schedule.every as `${number}${'s' | 'm' | 'h' | 'd'}` }] };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow', workflowType: ARCHIVE_RENEWAL_WORKFLOW, taskQueue, args: [{}], workflowId: `${archiveRenewalScheduleId(taskQueue)}-run`,
  };
  const handle = client.schedule.getHandle(archiveRenewalScheduleId(taskQueue));
  try {
    await handle.update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP } }));
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
    if (!config.enabled) return;
    try {
      await client.schedule.create({ scheduleId: archiveRenewalScheduleId(taskQueue), spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    } catch (c) {
      if (!(c instanceof ScheduleAlreadyRunning)) throw c; // another worker made it just now
    }
    return;
  }
  const { state } = await handle.describe();
  if (config.enabled && state.paused) await handle.unpause('ARCHIVE_RENEWAL=on');
  if (!config.enabled && !state.paused) await handle.pause('ARCHIVE_RENEWAL=off');
}

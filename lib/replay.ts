// Replays workflow histories (Temporal JSON, as `temporal workflow show -o json` or GET /dossiers/{code}/history
// give them) against workflow code, one verdict per history: what a tester runs before a workflow change ships
// (`npm run replay`, the "Kiểm thử phát lại" screen) and CI runs on every committed history.
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import path from 'node:path';

export interface ReplayVerdict {
  name: string;
  ok: boolean;
  /** Why not: a non-determinism (the workflow code no longer makes the commands the history recorded) or a bad file. */
  error?: string;
  /** The history event at which the code and the history part, when Temporal says so. */
  eventId?: number;
}

/** The workflow code of this checkout. */
export const WORKFLOWS_PATH = path.resolve('workflows/index.ts');

// The verdicts say what failed; core's own warning about the failed workflow task would say it twice.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
} catch { /* already installed by the host process */ }

type History = ReturnType<typeof historyFromJSON>;

/** The event id a non-determinism message names ("… event 12 …", "event id 12"), if any; for a `patched()` marker
 *  the code no longer makes (the message names the change, not the event), the marker's event in the history. */
function eventIdOf(message: string, history?: History): number | undefined {
  const m = /HistoryEvent\(id: (\d+)/.exec(message) ?? /event(?:[ _]?id)?[^0-9]{0,3}(\d+)/i.exec(message);
  if (m) return Number(m[1]);
  const patch = /patch marker encountered for change ([^\s,]+)/i.exec(message)?.[1];
  if (!patch || !history) return undefined;
  const marker = history.events?.find((e) => {
    const details = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return details && Buffer.from(details).toString('utf8').includes(`"${patch}"`);
  });
  return marker?.eventId ? Number(marker.eventId) : undefined;
}

/** One verdict per history, in order. A file that is not a history is a failed verdict, not a crash. */
/**
 * `dataConverter`: the keys of this installation (lib/payload-codec.ts), so that a history taken straight from
 * Temporal (`temporal workflow show -o json`, encrypted) replays too; a decoded export needs none.
 */
export async function replayHistories(histories: { name: string; json: string }[], workflowsPath = WORKFLOWS_PATH, dataConverter?: DataConverter): Promise<ReplayVerdict[]> {
  const verdicts = new Map<string, ReplayVerdict>();
  const parsed: { workflowId: string; history: History }[] = [];
  for (const [i, h] of histories.entries()) {
    const id = `${i}:${h.name}`;
    try {
      const history = historyFromJSON(JSON.parse(h.json));
      if (!history.events?.length) throw new Error('no events');
      parsed.push({ workflowId: id, history });
    } catch (e) {
      verdicts.set(id, { name: h.name, ok: false, error: `Không đọc được lịch sử workflow (JSON của Temporal): ${(e as Error).message}` });
    }
  }
  if (parsed.length) {
    for await (const r of Worker.runReplayHistories({ workflowsPath, ...(dataConverter ? { dataConverter } : {}) }, parsed)) {
      const name = r.workflowId.slice(r.workflowId.indexOf(':') + 1);
      const message = r.error ? String(r.error.message ?? r.error) : undefined;
      const eventId = message ? eventIdOf(message, parsed.find((p) => p.workflowId === r.workflowId)?.history) : undefined;
      verdicts.set(r.workflowId, message ? { name, ok: false, error: message, ...(eventId ? { eventId } : {}) } : { name, ok: true });
    }
  }
  return histories.map((h, i) => verdicts.get(`${i}:${h.name}`)!);
}

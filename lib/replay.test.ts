// Testers' replay (issue 11 point 4): a supervisor or tester exports a dossier's workflow history
// (GET /api/v1/dossiers/{code}/history, Temporal's JSON), `npm run replay` says ok for it and for every committed
// history, and a deliberately changed workflow (lib/testing/fixtures/changed-workflows.ts) is reported
// non-deterministic with the event id, exit status 1. Staff without those roles, and other agencies, are refused.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from './testing/harness.js';
import { apiClient, expectRefusal, multipart } from './testing/http.js';

const run = promisify(execFile);
let h: Harness;
let dir: string;
const { call } = apiClient(() => h.baseUrl);

/** npm run replay -- args: its lines and exit status. */
async function replay(...args: string[]): Promise<{ code: number; lines: string[] }> {
  try {
    const { stdout } = await run('npm', ['run', '-s', 'replay', '--', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: 0, lines: stdout.trim().split('\n') };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, lines: err.stdout.trim().split('\n') };
  }
}

beforeAll(async () => {
  h = await createHarness();
  await h.addAgency('000.00.44.X04', [{ username: 'kiemthu4', roles: ['tester'] }]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exporting and replaying a history', () => {
  it('a tester exports a returned dossier\'s history, and it replays ok; a changed workflow is non-deterministic at an event', async () => {
    const made = await call('canbo', 'POST', '/dossiers', { form: multipart({ applicantKind: 'citizen', idNumber: '151804051', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf') });
    expect(made.status).toBe(201);
    const code = made.body.code;
    expect((await call('lanhdao', 'POST', `/dossiers/${code}/return`, { json: { reason: 'Bản scan mờ' } })).status).toBe(200);

    for (const user of ['kiemthu', 'giamsat']) {
      const r = await call(user, 'GET', `/dossiers/${code}/history`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-disposition')).toContain(`dossier-${code}.json`);
      const types = (r.body.events as { eventType: string }[]).map((e) => e.eventType);
      expect(types[0]).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(types).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
      fs.writeFileSync(path.join(dir, `${user}.json`), r.bytes);
    }
    // Not the clerk's to export; not another tree's tester's (as if it did not exist).
    expectRefusal(await call('canbo', 'GET', `/dossiers/${code}/history`), 403, 'forbidden');
    expectRefusal(await call('kiemthu4', 'GET', `/dossiers/${code}/history`), 404, 'not_found');

    const good = await replay(dir);
    expect(good).toEqual({ code: 0, lines: [`ok ${path.join(dir, 'giamsat.json')}`, `ok ${path.join(dir, 'kiemthu.json')}`] });

    fs.writeFileSync(path.join(dir, 'broken.json'), '{"events": "not a history"}');
    const changed = await replay(path.join(dir, 'kiemthu.json'), path.join(dir, 'broken.json'), '--workflows', 'lib/testing/fixtures/changed-workflows.ts');
    expect(changed.code).toBe(1);
    expect(changed.lines[0]).toMatch(/^FAIL .*kiemthu\.json: .*[Nn]ondeterminism.* \(event \d+\)$/);
    expect(changed.lines[1]).toMatch(/^FAIL .*broken\.json: Không đọc được lịch sử workflow/);
  });

  it('every committed history replays ok against the workflow code', async () => {
    const r = await replay('workflows/histories');
    expect(r.code).toBe(0);
    const files = fs.readdirSync('workflows/histories').filter((f) => f.endsWith('.json'));
    expect(r.lines).toEqual(files.sort().map((f) => `ok ${path.join('workflows/histories', f)}`));
  });
});

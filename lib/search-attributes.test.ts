// The dossier's custom search attributes (workflows/search-attributes.ts), judged by Temporal's own CLI as an
// operator in the Temporal UI would search: `temporal workflow list --query` finds a dossier by its code, and by
// agency and status, the status following each step. Visibility is eventually consistent: the test waits for it.
import type { Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makePdf, type Harness } from './testing/harness.js';
import { apiClient, multipart } from './testing/http.js';
import { fetchDecodedHistory } from './payload-codec.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { workflowIdFor } from '../workflows/messages.js';

let h: Harness;
let cli = '';
const { call } = apiClient(() => h.baseUrl);

beforeAll(async () => {
  h = await createHarness();
  cli = execFileSync('bash', [path.resolve('scripts/ensure-temporal.sh')], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
}, 120_000);
afterAll(async () => { await h?.close(); });

/** The workflows the query finds, with their search attributes decoded. */
function list(query: string): { workflowId: string; attributes: Record<string, string> }[] {
  const out = execFileSync(cli, ['workflow', 'list', '--address', h.config.temporalAddress, '--namespace', h.config.temporalNamespace,
    '--query', query, '-o', 'json'], { encoding: 'utf8' });
  const rows = out.trim() ? JSON.parse(out) : [];
  return rows.map((r: any) => ({
    workflowId: r.execution.workflowId,
    attributes: Object.fromEntries(Object.entries(r.searchAttributes?.indexedFields ?? {})
      .map(([k, p]: [string, any]) => [k, JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'))])),
  }));
}
async function eventually<T>(read: () => T, ok: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 15_000;
  let v = read();
  while (!ok(v) && Date.now() < until) { await new Promise((r) => setTimeout(r, 250)); v = read(); }
  return v;
}
const statusOf = async (code: string, status: string) => eventually(() => list(`DossierCode="${code}"`), (r) => r[0]?.attributes.DossierStatus === status);

async function create(): Promise<string> {
  const form = multipart({ applicantKind: 'no_account', fullName: 'Lê Văn Tìm', idNumber: '079203001111', email: 'tim@example.vn', documentType: 'GKS' }, 'scan', await makePdf(1), 'scan.pdf', 'application/pdf');
  const r = await call('canbo', 'POST', '/dossiers', { form });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.code;
}
const act = async (user: string, code: string, action: string, json?: object) => {
  const r = await call(user, 'POST', `/dossiers/${encodeURIComponent(code)}/${action}`, json ? { json } : {});
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
};

describe('search attributes in the Temporal UI', () => {
  it('registering them again is a no-op (every web server and worker does it at start)', async () => {
    const connection = h.client.connection as Connection;
    await ensureSearchAttributes(connection, h.config.temporalNamespace);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: h.config.temporalNamespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['DossierCode', 'AgencyCode', 'DossierStatus']));
  });

  it('a dossier is found by its code, and its status follows each step', async () => {
    const code = await create();
    const [found] = await statusOf(code, 'awaiting_signature');
    expect(found).toMatchObject({ workflowId: expect.stringContaining(code), attributes: { DossierCode: code, AgencyCode: h.agencyCode, DossierStatus: 'awaiting_signature' } });
    await act('lanhdao', code, 'sign');
    expect((await statusOf(code, 'awaiting_seal'))[0]?.attributes.DossierStatus).toBe('awaiting_seal');
    const books = await call('vanthu', 'GET', '/register-books');
    await act('vanthu', code, 'seal', { registerBookId: books.body.items?.[0]?.id ?? books.body[0]?.id });
    expect((await statusOf(code, 'completed'))[0]?.attributes.DossierStatus).toBe('completed');
    // RECORD_HISTORIES=1 writes this history (with its upserts) for workflows/replay.test.ts.
    if (process.env.RECORD_HISTORIES === '1') {
      const history = await fetchDecodedHistory(h.client, workflowIdFor(code));
      fs.writeFileSync(path.resolve('workflows/histories/dossier-searchable-signed-sealed.json'), `${historyToJSON(history)}\n`);
    }
  }, 120_000);

  it('agency and status select a queue: the one awaiting the seal, not the one returned', async () => {
    const waiting = await create();
    const returned = await create();
    await act('lanhdao', waiting, 'sign');
    await act('lanhdao', returned, 'return', { reason: 'Bản scan mờ' });
    await statusOf(waiting, 'awaiting_seal');
    await statusOf(returned, 'returned');
    const queue = list(`AgencyCode="${h.agencyCode}" AND DossierStatus="awaiting_seal"`).map((r) => r.attributes.DossierCode);
    expect(queue).toContain(waiting);
    expect(queue).not.toContain(returned);
    expect(list(`DossierStatus="returned" AND DossierCode="${returned}"`)).toHaveLength(1);
  }, 120_000);
});

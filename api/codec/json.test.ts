// No personal data in clear in Temporal (issue 11 point 5), judged by Temporal's own CLI: a dossier taken through
// its whole life holds the applicant's name, ID number, e-mail and phone in its workflow input and results, yet
// `temporal workflow show -o json` shows none of them, neither as text nor inside any payload's data; the history
// a tester exports (decoded) does hold them, so the check above is not empty. The codec endpoint the Temporal UI
// calls decodes them for a supervisor or a tester (session with the UI's origin, or bearer token) and refuses
// anonymous callers, other roles, other origins' reading, other namespaces and altered data.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, expectRefusal, loginStaff } from '../../lib/testing/http.js';
import { dossierThroughLife } from '../../lib/testing/lifecycle.js';
import { workflowIdFor } from '../../workflows/messages.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
const APPLICANT = { fullName: 'Đặng Thị Bảo Mật', idNumber: '079203009876', email: 'bao.mat.codec@example.vn', phone: '0912345678' };
let code = '';
let shown = '';

/** Every payload of a history (proto JSON) with where it is; those under a path ending in one of `skip` apart. */
const wirePayloads = (v: any, out: any[] = [], skip = new Set<string>(), at = ''): any[] => {
  if (v && typeof v === 'object') {
    if (v.metadata && typeof v.metadata === 'object' && 'encoding' in v.metadata) out.push({ ...v, at });
    else for (const [k, x] of Object.entries(v)) if (![...skip].some((s) => `${at}.${k}`.endsWith(`.${s}`))) wirePayloads(x, out, skip, `${at}.${k}`);
  }
  return out;
};
/** In clear by design: search attributes (Temporal indexes them: agency, status, code), patched() markers (the
 *  patch's name) and a local activity's marker data (its type, attempt and times; its result is encrypted), both
 *  written by the SDK's core, not through the codec; none holds personal data (checked below all the same). */
const CLEAR_BY_DESIGN = new Set(['searchAttributes', 'upsertWorkflowSearchAttributesEventAttributes', 'patch-data', 'markerRecordedEventAttributes.details.data']);
const utf8 = (b64: string) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
const decode = (payloads: unknown[], headers: Record<string, string>) => fetch(`${h.baseUrl}/api/v1/temporal-codec/decode`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ payloads }),
});

beforeAll(async () => {
  h = await createHarness();
  code = await dossierThroughLife(h, call, { applicantKind: 'no_account', ...APPLICANT });
  const cli = execFileSync('bash', [path.resolve('scripts/ensure-temporal.sh')], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  shown = execFileSync(cli, ['workflow', 'show', '--address', h.config.temporalAddress, '--namespace', h.config.temporalNamespace,
    '-w', workflowIdFor(code), '-o', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}, 240_000);
afterAll(async () => { await h?.close(); });

describe('Temporal holds no personal data in clear', () => {
  it('temporal workflow show: no name, ID number, e-mail or phone, in any payload; every payload encrypted', () => {
    const history = JSON.parse(shown);
    const payloads = wirePayloads(history, [], CLEAR_BY_DESIGN);
    expect(payloads.length).toBeGreaterThan(5); // the input, the updates' arguments and results, the activities'
    for (const p of payloads) expect(`${p.at}: ${utf8(p.metadata.encoding)}`).toBe(`${p.at}: binary/encrypted`);
    const everything = `${shown}\n${wirePayloads(history).map((p) => utf8(p.data)).join('\n')}`;
    for (const value of Object.values(APPLICANT)) expect(everything).not.toContain(value);
    // The signature and the seal ran: the history is the whole life, not an empty one.
    expect(shown).toContain('"sealDossier"');
    expect(shown).toContain('WORKFLOW_EXECUTION_COMPLETED');
  });

  it('the tester\'s export is decoded: the same fields are there, and Xem tiến trình still reads them', async () => {
    const r = await call('kiemthu', 'GET', `/dossiers/${encodeURIComponent(code)}/history`);
    expect(r.status).toBe(200);
    const text = `${JSON.stringify(r.body)}\n${wirePayloads(r.body).map((p) => utf8(p.data)).join('\n')}`;
    for (const value of Object.values(APPLICANT)) expect(text).toContain(value);
    const web = await loginStaff(h.baseUrl, 'canbo');
    const progress = await web.get(`/ho-so/${encodeURIComponent(code)}/tien-trinh`);
    expect(progress.status).toBe(200);
    expect(progress.html).toContain(`của ${APPLICANT.fullName}`);
  });
});

describe('the codec endpoint of the Temporal UI', () => {
  const started = () => JSON.parse(shown).events.find((e: any) => e.workflowExecutionStartedEventAttributes).workflowExecutionStartedEventAttributes.input.payloads;

  it('refuses anonymous callers, a wrong token and staff without the supervisor or tester role', async () => {
    const anonymous = await decode(started(), {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: 'unauthenticated' });
    expect((await decode(started(), { authorization: 'Bearer not-a-token' })).status).toBe(401);
    const creator = await decode(started(), { authorization: `Bearer ${await tokenOf('canbo')}` });
    expect(creator.status).toBe(403);
    expect(await creator.json()).toMatchObject({ error: 'forbidden' });
  });

  it('decodes for a tester\'s token and a supervisor\'s session from the Temporal UI\'s origin (CORS), for that origin only', async () => {
    const byToken = await decode(started(), { authorization: `Bearer ${await tokenOf('kiemthu')}`, 'x-namespace': h.config.temporalNamespace });
    expect(byToken.status).toBe(200);
    const [input] = (await byToken.json()).payloads;
    expect(utf8(input.metadata.encoding)).toBe('json/plain');
    expect(JSON.parse(utf8(input.data)).applicant).toMatchObject({ fullName: APPLICANT.fullName, idNumber: APPLICANT.idNumber, email: APPLICANT.email });

    const supervisor = await loginStaff(h.baseUrl, 'giamsat');
    const ui = 'http://localhost:8233';
    const preflight = await fetch(`${h.baseUrl}/api/v1/temporal-codec/decode`, { method: 'OPTIONS', headers: { origin: ui, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ui);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const bySession = await decode(started(), { cookie: supervisor.cookieHeader(), origin: ui });
    expect(bySession.status).toBe(200);
    expect(bySession.headers.get('access-control-allow-origin')).toBe(ui);
    expect(utf8((await bySession.json()).payloads[0].data)).toContain(APPLICANT.fullName);
    // Another site may send the cookie, but the browser lets it read nothing: no CORS grant.
    const evil = await decode(started(), { cookie: supervisor.cookieHeader(), origin: 'https://evil.example' });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${h.baseUrl}/api/v1/temporal-codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('refuses another namespace, altered data and a malformed body with a clear 400', async () => {
    const auth = { authorization: `Bearer ${await tokenOf('giamsat')}` };
    const other = await decode(started(), { ...auth, 'x-namespace': 'khac' });
    expect(other.status).toBe(400);
    expect((await other.json()).message).toContain('namespace');
    const [p] = started();
    const bytes = Buffer.from(p.data, 'base64');
    bytes[bytes.length - 1] ^= 1;
    const altered = await decode([{ ...p, data: bytes.toString('base64') }], auth);
    expect(altered.status).toBe(400);
    expect(await altered.json()).toMatchObject({ error: 'validation', message: expect.stringContaining('Không giải mã được') });
    const malformed = await fetch(`${h.baseUrl}/api/v1/temporal-codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{"payloads":"x"}' });
    expectRefusal({ status: malformed.status, body: await malformed.json(), headers: malformed.headers, bytes: Buffer.alloc(0) }, 400, 'validation');
  });
});

async function tokenOf(user: string) {
  const r = await call(null, 'POST', '/auth/token', { json: { username: user, password: 'demo' } });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

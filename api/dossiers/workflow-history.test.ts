// "Lịch sử workflow": on the real stack, a supervisor reads every event of a dossier's Temporal history in
// Vietnamese — the updates with who acted, the activities with their attempt and how long they took, the timer,
// the end — with the same number of rows as Temporal's events; a creator is refused. A failed attempt and its retry,
// a timer that fired and a refused update are read from a history made by hand (they cannot be caused on demand).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../lib/testing/harness.js';
import { apiClient, loginStaff } from '../../lib/testing/http.js';
import { dossierThroughLife } from '../../lib/testing/lifecycle.js';
import { workflowIdFor } from '../../workflows/messages.js';
import { tookText, workflowHistoryRows } from './workflow-history.js';

let h: Harness;
const { call } = apiClient(() => h.baseUrl);
let code = '';

beforeAll(async () => {
  h = await createHarness();
  code = await dossierThroughLife(h, call, { applicantKind: 'citizen', idNumber: '151804051' });
}, 240_000);
afterAll(async () => { await h?.close(); });

const cells = (html: string) => [...html.matchAll(/<tr data-kind="([a-z]+)">([\s\S]*?)<\/tr>/g)]
  .map((m) => ({ kind: m[1], cells: [...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].replace(/<[^>]+>/g, '').trim()) }));

describe('Lịch sử workflow', () => {
  it('a supervisor reads every event in Vietnamese: who acted, each activity and attempt, how long, the timer, the end', async () => {
    const events = (await h.client.workflow.getHandle(workflowIdFor(code)).fetchHistory()).events ?? [];
    const web = await loginStaff(h.baseUrl, 'giamsat');
    const detail = await web.get(`/ho-so/${encodeURIComponent(code)}`);
    expect(detail.html).toContain('data-testid="workflow-history-link"');
    const page = await web.get(`/ho-so/${encodeURIComponent(code)}/lich-su`);
    expect(page.status).toBe(200);
    const rows = cells(page.html);
    expect(rows).toHaveLength(events.length);
    expect(rows[0].cells.slice(0, 1)).toEqual(['1']);
    expect(rows[0].cells[2]).toBe('Bắt đầu workflow');
    const labels = rows.map((r) => r.cells[2]);
    expect(labels).toContain('Nhận thao tác: ký số (sign)');
    expect(labels).toContain('Nhận thao tác: đóng dấu (seal)');
    expect(labels).toContain('Hoàn thành hoạt động: ký số bản sao (signDossier)');
    expect(labels).toContain('Hoàn thành hoạt động: gửi bản sao điện tử (deliverDossier)');
    expect(labels).toContain('Đặt hẹn giờ');
    // The quick database steps run in the workflow task (local activities), each shown with its attempt.
    expect(labels).toContain('Hoạt động tại worker: ghi nhật ký, cập nhật hồ sơ (recordEvent)');
    expect(labels).toContain('Hoạt động tại worker: cấp số chứng thực (allocateCertificationNumber)');
    expect(rows.find((r) => r.cells[2].endsWith('(allocateCertificationNumber)'))!.cells[3]).toBe('lần thử 1, trong tác vụ workflow');
    expect(labels.at(-1)).toBe('Workflow kết thúc');
    const signUpdate = rows.find((r) => r.cells[2] === 'Nhận thao tác: ký số (sign)')!;
    expect(signUpdate.cells[3]).toContain('(lanhdao)');
    const signed = rows.find((r) => r.cells[2] === 'Hoàn thành hoạt động: ký số bản sao (signDossier)')!;
    expect(signed.cells[4]).toMatch(/^\d+ ms$|giây$/);
    expect(signed.cells[5]).toBe('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
    expect(rows.find((r) => r.cells[2].startsWith('Bắt đầu hoạt động: ký số bản sao'))!.cells[3]).toBe('lần thử 1');
    expect(page.html).toMatch(/data-testid="history-summary">\d+ sự kiện · [1-9]\d* thao tác · [1-9]\d* hoạt động · 0 lần thử lại · 0 lỗi · [1-9]\d* hẹn giờ/);
  });

  it('is refused to a creator, as the JSON export is', async () => {
    const web = await loginStaff(h.baseUrl, 'canbo');
    expect((await web.get(`/ho-so/${encodeURIComponent(code)}/lich-su`)).status).toBe(403);
  });

  it('reads a failed attempt and its retry, a fired timer and a refused update (a history made by hand)', () => {
    const t = (s: number) => ({ seconds: 1_800_000_000 + s, nanos: 0 });
    const rows = workflowHistoryRows([
      { eventId: 5, eventTime: t(0), activityTaskScheduledEventAttributes: { activityType: { name: 'sealDossier' }, startToCloseTimeout: { seconds: 120 }, retryPolicy: { maximumAttempts: 12 } } },
      { eventId: 6, eventTime: t(3), activityTaskStartedEventAttributes: { scheduledEventId: 5, attempt: 2, lastFailure: { message: 'TSA không trả lời' } } },
      { eventId: 7, eventTime: t(4), activityTaskFailedEventAttributes: { scheduledEventId: 5, failure: { message: 'Token khóa', applicationFailureInfo: { type: 'SealError' } } } },
      { eventId: 8, eventTime: t(10), timerStartedEventAttributes: { timerId: '1', startToFireTimeout: { seconds: 3600 } } },
      { eventId: 9, eventTime: t(3610), timerFiredEventAttributes: { timerId: '1' } },
      { eventId: 10, eventTime: t(3611), workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name: 'seal', args: { payloads: [{ data: Buffer.from(JSON.stringify({ actor: { username: 'vanthu', fullName: 'Văn Thư' } })) }] } } } } },
      { eventId: 11, eventTime: t(3612), workflowExecutionUpdateCompletedEventAttributes: { acceptedEventId: 10, outcome: { failure: { message: 'Sổ đã khóa' } } } },
    ] as never);
    expect(rows.map((r) => [r.kind, r.label, r.detail, r.took])).toEqual([
      ['activity', 'Lên lịch hoạt động: đóng dấu số (sealDossier)', 'tối đa 2 phút 0 giây mỗi lần, tối đa 12 lần thử', null],
      ['activity', 'Bắt đầu hoạt động: đóng dấu số (sealDossier)', 'lần thử 2; lần trước: TSA không trả lời', '3,0 giây'],
      ['failure', 'Hoạt động thất bại: đóng dấu số (sealDossier)', 'Token khóa [SealError]', '4,0 giây'],
      ['timer', 'Đặt hẹn giờ', 'sau 1 giờ 0 phút (hạn xử lý, chờ gửi lại, nhắc lịch)', null],
      ['timer', 'Hẹn giờ đến hạn', '', '1 giờ 0 phút'],
      ['update', 'Nhận thao tác: đóng dấu (seal)', 'Văn Thư (vanthu)', null],
      ['failure', 'Thao tác bị từ chối', 'Sổ đã khóa', '1,0 giây'],
    ]);
    expect([tookText(850), tookText(65_000), tookText(3 * 86_400_000 + 4 * 3_600_000)]).toEqual(['850 ms', '1 phút 5 giây', '3 ngày 4 giờ']);
  });
});

// A webhook's URL: http(s) only, no credentials, and in production no loopback or private address; the body a
// receiver gets holds no personal data of the applicant.
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress, webhookBody } from './webhooks.js';

describe('webhook URL', () => {
  it('takes http(s) URLs and refuses other schemes, credentials and garbage', () => {
    expect(checkWebhookUrl(' https://dvc.tinh.gov.vn/ctdt/su-kien ', true)).toBe('https://dvc.tinh.gov.vn/ctdt/su-kien');
    for (const bad of ['ftp://a.vn/x', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@a.vn/', 'không phải url', '', 42, `https://a.vn/${'x'.repeat(2000)}`]) {
      expect(() => checkWebhookUrl(bad, false), String(bad)).toThrow(/Địa chỉ nhận sự kiện|URL/);
    }
  });
  it('in production refuses loopback, private, link-local and unique-local addresses; demo allows loopback', () => {
    for (const host of ['http://127.0.0.1:8080/h', 'http://localhost/h', 'http://10.1.2.3/h', 'http://172.20.0.1/h', 'http://192.168.1.1/h', 'http://169.254.169.254/latest', 'http://[::1]/h', 'http://[fd00::1]/h', 'http://0.0.0.0/', 'http://100.64.0.1/']) {
      expect(() => checkWebhookUrl(host, true), host).toThrow(/nội bộ/);
    }
    expect(checkWebhookUrl('http://127.0.0.1:8080/h', false)).toBe('http://127.0.0.1:8080/h');
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(isPrivateAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isPrivateAddress('2001:db8::1')).toBe(false);
  });
});

it('the body has the dossier and its event id, not the applicant\'s name, ID number, e-mail or phone', () => {
  const body = webhookBody('D-1#3', 'sealed', '2026-12-02T10:00:00.000Z', {
    code: 'D-1', agencyCode: 'A', status: 'awaiting_seal', documentType: { code: 'GKS', name: 'Giấy khai sinh' }, copies: 1, fee: 2000, dueDate: '2026-12-02', certificationNumber: '5/ĐT',
    applicant: { kind: 'citizen', fullName: 'Nguyễn Thị Thu', idNumber: '151804051', email: 'thu@example.vn', phone: '0942077843', accountUsername: 'congdan' },
  });
  expect(body).toMatchObject({ id: 'D-1#3', type: 'dossier.sealed', dossier: { code: 'D-1', certificationNumber: '5/ĐT', portalAccount: 'congdan' } });
  const text = JSON.stringify(body);
  for (const personal of ['Nguyễn Thị Thu', '151804051', 'thu@example.vn', '0942077843']) expect(text).not.toContain(personal);
});

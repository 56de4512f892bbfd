// The template model: version 1 prints exactly what the product printed before; a draft is checked (known
// placeholders only, lengths, no control characters, the law's sentence kept, known register fields once each).
import { describe, expect, it } from 'vitest';
import { ATTESTATION_SENTENCE, attestationBlocks } from './attestation.js';
import { DomainError } from './errors.js';
import {
  ATTESTATION_TEMPLATE_V1, parseAttestationTemplate, parseRegisterLayout, REGISTER_LAYOUT_V1, renderAttestation, templateAuditRecord,
} from './templates.js';

const dossier = {
  agencyName: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng', documentTypeName: 'Giấy khai sinh',
  dossierCode: 'G22.29-250620-010009', date: new Date('2025-06-20T03:00:00Z'), signerName: 'Trần Văn Ánh', signerTitle: 'PHÓ TRƯỞNG PHÒNG',
};
/** The refusal of a draft: its field and message (null when accepted). */
function refusal(f: () => unknown): { field?: string; message: string } | null {
  try { f(); return null; } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('validation');
    return { field: (e as DomainError).field, message: (e as Error).message };
  }
}
const draft = (over: Record<string, unknown> = {}) => ({ header: ['{agencyName}', 'LỜI CHỨNG'], body: [ATTESTATION_SENTENCE, 'Mã: {dossierCode}'], dateLine: '{date}', ...over });

describe('the attestation template', () => {
  it('version 1 renders the very blocks of the text before templates, with and without copies', () => {
    expect(renderAttestation(ATTESTATION_TEMPLATE_V1, { ...dossier, copies: 3 })).toEqual(attestationBlocks({ ...dossier, copies: 3 }));
    expect(renderAttestation(ATTESTATION_TEMPLATE_V1, dossier)).toEqual(attestationBlocks(dossier));
    expect(renderAttestation(ATTESTATION_TEMPLATE_V1, { ...dossier, copies: 1, certificationNumber: '12/ĐT', registerBookName: '01/2025' }))
      .toEqual(attestationBlocks({ ...dossier, copies: 1, certificationNumber: '12/ĐT', registerBookName: '01/2025' }));
    expect(parseAttestationTemplate(ATTESTATION_TEMPLATE_V1)).toEqual(ATTESTATION_TEMPLATE_V1);
  });

  it('fills every placeholder, capitalises the date line and leaves the values as typed (no second substitution)', () => {
    const t = parseAttestationTemplate({
      header: 'UBND XÃ {agencyName}\nLỜI CHỨNG BẢN SAO ĐIỆN TỬ', body: `Căn cứ Nghị định 280/2025/NĐ-CP,\n${ATTESTATION_SENTENCE}\n{copies} bản, giấy tờ {documentTypeName}, mã {dossierCode}`,
      dateLine: 'Sóc Trăng, {date}',
    });
    const b = renderAttestation(t, { ...dossier, documentTypeName: 'Giấy {dossierCode}', copies: 2 });
    expect(b.header).toEqual([`UBND XÃ ${dossier.agencyName}`, 'LỜI CHỨNG BẢN SAO ĐIỆN TỬ']);
    expect(b.body).toEqual(['Căn cứ Nghị định 280/2025/NĐ-CP,', ATTESTATION_SENTENCE, `2 bản, giấy tờ Giấy {dossierCode}, mã ${dossier.dossierCode}`]);
    expect(b.dateLine).toBe('Sóc Trăng, ngày 20 tháng 06 năm 2025');
    expect(renderAttestation(parseAttestationTemplate(draft({ dateLine: '{date}' })), dossier).dateLine).toBe('Ngày 20 tháng 06 năm 2025');
  });

  it('accepts lines as one text (a textarea): blank lines and surrounding spaces dropped, CRLF too', () => {
    expect(parseAttestationTemplate({ header: ' {agencyName} \r\n\r\nLỜI CHỨNG', body: `${ATTESTATION_SENTENCE}\n\n`, dateLine: ' {date} ' }))
      .toEqual({ header: ['{agencyName}', 'LỜI CHỨNG'], body: [ATTESTATION_SENTENCE], dateLine: '{date}' });
  });

  it('refuses a draft without the law\'s sentence, naming the body', () => {
    expect(refusal(() => parseAttestationTemplate(draft({ body: ['Chứng thực bản sao đúng với bản chính', 'Mã: {dossierCode}'] }))))
      .toEqual({ field: 'body', message: expect.stringContaining(ATTESTATION_SENTENCE) });
    expect(refusal(() => parseAttestationTemplate(draft({ body: [`Tôi xác nhận: ${ATTESTATION_SENTENCE}`] })))).toBeNull();
  });

  it('refuses unknown placeholders, stray braces, control characters, too long or too many lines, and empty parts', () => {
    expect(refusal(() => parseAttestationTemplate(draft({ body: [ATTESTATION_SENTENCE, 'Người yêu cầu: {applicantName}'] }))))
      .toEqual({ field: 'body', message: expect.stringContaining('{applicantName} không có') });
    expect(refusal(() => parseAttestationTemplate(draft({ dateLine: 'Ngày {date' })))?.field).toBe('dateLine');
    expect(refusal(() => parseAttestationTemplate(draft({ header: ['{agencyName}}'] })))?.field).toBe('header');
    expect(refusal(() => parseAttestationTemplate(draft({ header: ['{agencyName}', 'LỜI\u0007CHỨNG'] })))).toEqual({ field: 'header', message: expect.stringContaining('ký tự điều khiển') });
    expect(refusal(() => parseAttestationTemplate(draft({ body: [ATTESTATION_SENTENCE, 'x'.repeat(201)] })))?.message).toContain('tối đa 200 ký tự');
    expect(refusal(() => parseAttestationTemplate(draft({ body: [ATTESTATION_SENTENCE, ...Array.from({ length: 8 }, (_, i) => `Dòng ${i}`)] })))?.message).toContain('tối đa 8 dòng');
    expect(refusal(() => parseAttestationTemplate(draft({ header: '\n \n' })))?.field).toBe('header');
    expect(refusal(() => parseAttestationTemplate(draft({ dateLine: '' })))?.field).toBe('dateLine');
    expect(refusal(() => parseAttestationTemplate(draft({ body: [ATTESTATION_SENTENCE, 42] })))?.field).toBe('body');
    expect(refusal(() => parseAttestationTemplate(null))).not.toBeNull();
  });
});

describe('the register layout template', () => {
  it('version 1 is the seed layout and passes its own checks', () => {
    expect(parseRegisterLayout(REGISTER_LAYOUT_V1)).toEqual(REGISTER_LAYOUT_V1);
    expect(REGISTER_LAYOUT_V1.columns.map((c) => c.header)).toEqual(['STT', 'Số chứng thực', 'Ngày chứng thực', 'Họ tên người yêu cầu', 'Tên bản chính giấy tờ', 'Người ký chứng thực', 'Số bản sao', 'Lệ phí (đồng)', 'Mã chứng thực']);
  });

  it('accepts widths typed in a form, and refuses unknown or repeated fields, empty headers, bad widths, no columns', () => {
    expect(parseRegisterLayout({ columns: [{ field: 'dossierCode', header: ' Mã ', width: '20' }] })).toEqual({ columns: [{ field: 'dossierCode', header: 'Mã', width: 20 }] });
    const bad = (columns: unknown) => refusal(() => parseRegisterLayout({ columns }));
    expect(bad([{ field: 'password', header: 'x', width: 10 }])?.message).toContain('Cột 1');
    expect(bad([{ field: 'fee', header: 'Lệ phí', width: 10 }, { field: 'fee', header: 'Phí', width: 10 }])?.message).toContain('Cột 2');
    expect(bad([{ field: 'fee', header: ' ', width: 10 }])?.message).toContain('tiêu đề');
    expect(bad([{ field: 'fee', header: 'Lệ phí', width: 3 }])?.message).toContain('độ rộng');
    expect(bad([{ field: 'fee', header: 'Lệ phí', width: '1e1' }])?.message).toContain('độ rộng');
    expect(bad([])?.field).toBe('columns');
  });
});

it('the audit shows a version as flat readable fields', () => {
  expect(templateAuditRecord('attestation', 1, ATTESTATION_TEMPLATE_V1)).toEqual({ version: 1, header: '{agencyName}\nLỜI CHỨNG', body: ATTESTATION_TEMPLATE_V1.body.join('\n'), dateLine: '{date}' });
  expect(templateAuditRecord('register_book', 2, { columns: [{ field: 'fee', header: 'Lệ phí', width: 12 }] })).toEqual({ version: 2, columns: 'Lệ phí (fee, 12)' });
});

// The attestation (lời chứng) text of an electronic certified copy.
// PURE module: imports only ./vn-time, no locale APIs — it is also loaded inside the Temporal workflow sandbox.
import { vnLongDate } from './vn-time.js';

export interface AttestationInput {
  agencyName: string;
  documentTypeName: string;
  dossierCode: string;
  /** Day of the certification (shown in Vietnam time, UTC+07:00). */
  date: Date;
  copies?: number;
}

export interface AttestationSigner {
  signerName: string;
  signerTitle: string;
  /**
   * Only known at sealing time, which is an update on top of the leader's signature: the leader's page has no
   * line for them (never a dotted blank); the seal's block prints them (activities/pdf/seal.ts).
   */
  certificationNumber?: string;
  registerBookName?: string;
}

export const ATTESTATION_SENTENCE = 'Chứng thực bản sao đúng với bản chính.';

/** The attestation split into the blocks the PDF page lays out. */
export interface AttestationBlocks {
  header: string[];
  body: string[];
  /** e.g. 'Ngày 20 tháng 06 năm 2025' */
  dateLine: string;
  signerTitle: string;
  signerName: string;
}

export function attestationBlocks(a: AttestationInput & AttestationSigner): AttestationBlocks {
  const longDate = vnLongDate(a.date);
  const body = [
    ATTESTATION_SENTENCE,
    `Loại giấy tờ: ${a.documentTypeName}`,
    `Mã chứng thực: ${a.dossierCode}`,
  ];
  if (a.copies !== undefined) body.push(`Số bản sao: ${a.copies}`);
  if (a.certificationNumber && a.registerBookName) body.push(`Số chứng thực: ${a.certificationNumber}    Quyển số: ${a.registerBookName}`);
  return {
    header: [a.agencyName, 'LỜI CHỨNG'],
    body,
    dateLine: longDate.charAt(0).toUpperCase() + longDate.slice(1),
    signerTitle: a.signerTitle,
    signerName: a.signerName,
  };
}

/** The attestation as plain lines, in reading order. */
export function attestationLines(a: AttestationInput & AttestationSigner): string[] {
  const b = attestationBlocks(a);
  return [...b.header, ...b.body, b.dateLine, b.signerTitle, b.signerName];
}

// What the certificate routes accept: the upload policy of a PKCS#12 file field and the purpose; a remote signer.
import { z } from 'zod';
import { CERTIFICATE_PURPOSES, type CertificatePurpose } from '../../domain/certificate.js';
import { DomainError } from '../../domain/errors.js';
import { object, oneOf, text } from '../http/schemas.js';
import type { UploadPolicy } from '../http/upload.js';
import { PKCS12_UPLOAD_MAX_BYTES } from './service.js';

/** A PKCS#12 is DER: a SEQUENCE (0x30) first. Anything else (a PEM, a PDF) is refused at its first byte. */
export const PKCS12_UPLOAD: UploadPolicy = {
  headBytes: 1,
  checkHead: (head) => (head[0] === 0x30 ? null
    : new DomainError('bad_file', 'Tệp không phải chứng thư số dạng PKCS#12 (.p12, .pfx). Hãy xuất chứng thư số kèm khóa bí mật ra tệp .p12.', 'file')),
  tooLarge: () => new DomainError('too_large', `Tệp chứng thư số quá lớn (tối đa ${PKCS12_UPLOAD_MAX_BYTES / 1024} KB).`, 'file'),
};

const PURPOSE_MESSAGE = 'Mục đích (purpose) phải là personal (chứng thư cá nhân của lãnh đạo) hoặc seal (con dấu của cơ quan).';

/** The upload's other fields (multipart). */
export const uploadFields = z.object({
  purpose: z.string().optional().refine((v) => (CERTIFICATE_PURPOSES as readonly (string | undefined)[]).includes(v), { message: PURPOSE_MESSAGE })
    .transform((v) => v as CertificatePurpose),
  passphrase: z.string().max(1024).optional().transform((v) => v ?? ''),
});

export const fingerprintParams = z.object({
  fingerprint: z.string().refine((v) => /^[0-9a-f]{64}$/.test(v), { message: 'Dấu vân tay (fingerprint) là SHA-256 của chứng thư: 64 ký tự hex thường.' }),
});

// ---- remote signing (CSC API) ------------------------------------------------------------------------------
const secret = (max = 4096) => z.string().max(max).optional().transform((v) => (v ? v : undefined));

/** The service and how to authenticate to it (secrets kept as typed: no text normalisation). */
export const remoteServiceFields = object({
  serviceUrl: text('Địa chỉ dịch vụ ký số từ xa', 500),
  authKind: oneOf('Cách xác thực', ['none', 'token', 'basic', 'oauth2'] as const, 'Cách xác thực (authKind) phải là none, token, basic hoặc oauth2.')
    .transform((v) => v ?? 'token'),
  token: secret(),
  username: secret(200),
  password: secret(1024),
  tokenUrl: secret(500),
  clientId: secret(200),
  clientSecret: secret(1024),
  pin: secret(64),
});

export const remoteSignerFields = remoteServiceFields.extend({ credentialId: text('Khóa ký (credential)', 500) });

export const remoteUseFields = object({
  inUse: z.union([z.boolean(), z.enum(['true', 'false', 'on', 'off'])]).transform((v) => v === true || v === 'true' || v === 'on'),
});

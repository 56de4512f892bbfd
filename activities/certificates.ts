// The certificates people uploaded (api/certificates/): the one in use signs. The worker unwraps its private key
// (lib/key-encryption.ts) only to sign, keeps it in memory, and falls back to the base key store (the generated
// test PKI in demo mode, a PKCS#11 token for a seal) where nothing was uploaded.
import { createPrivateKey } from 'node:crypto';
import type { CertificatePurpose } from '../domain/certificate.js';
import { vnDate } from '../domain/vn-time.js';
import type { Db } from '../lib/db.js';
import { unwrapKey, type KeyRing } from '../lib/key-encryption.js';
import type { KeyStore } from './pdf/pki.js';
import { softIdentity, type SigningIdentity } from './pdf/signer.js';

/** A certificate in use that cannot sign now (expired, not yet valid, its key does not open): not retried. */
export class CertificateUnusableError extends Error {
  override name = 'CertificateUnusableError';
}

/** The uploaded certificate in use of `owner` for `purpose` (or the one of `owner` with `fingerprint`), or undefined
 *  (the worker's copy of the query). */
export function certificateInUse(db: Db, purpose: CertificatePurpose, owner: string, fingerprint?: string) {
  let q = db.selectFrom('certificates')
    .select(['fingerprint', 'cert_der', 'chain_der', 'key_wrapped', 'kek_id', 'common_name', 'subject', 'not_before', 'not_after', 'needs_approval'])
    .where('purpose', '=', purpose).where('owner', '=', owner);
  q = fingerprint ? q.where('fingerprint', '=', fingerprint) : q.where('in_use', '=', true);
  return q.executeTakeFirst();
}

export interface UploadedIdentity extends SigningIdentity {
  /** SHA-256 of the certificate: what the dossier's history and the register entry name. */
  fingerprint: string;
}

const WHERE: Record<CertificatePurpose, string> = {
  personal: 'Trang cá nhân → Chứng thư số', seal: 'Quản lý con dấu → Chứng thư số',
};

export async function uploadedIdentity(db: Db, ring: KeyRing, purpose: CertificatePurpose, owner: string, now = new Date(), fingerprint?: string): Promise<UploadedIdentity | null> {
  const row = await certificateInUse(db, purpose, owner, fingerprint);
  if (!row) return null;
  const what = fingerprint ? 'Chứng thư số đã chọn' : purpose === 'personal' ? 'Chứng thư số cá nhân đang dùng' : 'Chứng thư số của cơ quan đang dùng';
  if (row.needs_approval) {
    throw new CertificateUnusableError(`${what} đang chờ quản trị viên xác nhận (tên người giữ chứng thư khác họ tên tài khoản). Hồ sơ không thay đổi.`);
  }
  if (new Date(row.not_after) < now) {
    throw new CertificateUnusableError(`${what} đã hết hạn ngày ${vnDate(row.not_after)}: cần tải lên chứng thư số mới tại ${WHERE[purpose]}. Hồ sơ không thay đổi.`);
  }
  if (new Date(row.not_before) > now) {
    throw new CertificateUnusableError(`${what} chưa có hiệu lực (từ ngày ${vnDate(row.not_before)}). Hồ sơ không thay đổi.`);
  }
  let key;
  try {
    key = createPrivateKey({ key: unwrapKey(ring, { kekId: row.kek_id, blob: row.key_wrapped }, row.fingerprint), format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new CertificateUnusableError(`Không mở được khóa ký của ${what.toLowerCase()} (${(e as Error).message}). Quản trị viên cần kiểm tra KEY_ENCRYPTION_KEY. Hồ sơ không thay đổi.`);
  }
  // Marks the certificate as used once: from then on it is never deleted (the e-copies it signed name it).
  await db.updateTable('certificates').set({ first_used_at: now }).where('fingerprint', '=', row.fingerprint).where('first_used_at', 'is', null).execute();
  const chain = row.chain_der.map((b) => Buffer.from(b, 'base64'));
  const id = softIdentity(key, row.cert_der, chain.length ? chain : [row.cert_der], row.common_name ?? row.subject);
  return Object.assign(id, { fingerprint: row.fingerprint });
}

/** `base`, except where a certificate was uploaded: the leader's personal one, the agency's seal. */
export function withUploadedCertificates(base: KeyStore, db: Db, ring: KeyRing): KeyStore {
  return {
    async leaderKey(user) {
      const chosen = await uploadedIdentity(db, ring, 'personal', user.username, new Date(), user.certificate);
      if (chosen) return chosen;
      if (user.certificate) {
        throw new CertificateUnusableError('Không tìm thấy chứng thư số đã chọn trong các chứng thư số của bạn (Trang cá nhân → Chứng thư số). Hồ sơ không thay đổi.');
      }
      return base.leaderKey(user);
    },
    async sealKey(agency) {
      return (await uploadedIdentity(db, ring, 'seal', agency.code)) ?? base.sealKey(agency);
    },
    caCertPem: () => base.caCertPem(),
  };
}

/**
 * Production without ALLOW_TEST_PKI: the generated test PKI signs nothing. A leader or agency without an uploaded
 * certificate (or a seal in a token) is told where to upload one; nothing is signed with a test certificate.
 */
export function refusingTestPki(base: KeyStore): KeyStore {
  const refuse = (what: string, where: string) => Promise.reject(new CertificateUnusableError(
    `${what} chưa có chứng thư số do tổ chức cung cấp dịch vụ chứng thực cấp: cần tải lên tệp PKCS#12 tại ${where}. Hồ sơ không thay đổi.`));
  return {
    leaderKey: () => refuse('Lãnh đạo ký', 'Trang cá nhân → Chứng thư số (hoặc cấu hình ký từ xa CSC ở cùng trang)'),
    sealKey: () => refuse('Cơ quan', 'Quản lý con dấu → Chứng thư số'),
    caCertPem: () => base.caCertPem(),
  };
}

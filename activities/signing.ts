// The leader's signature and the agency seal. Each result is remembered under a key, so a retried
// activity returns the first file instead of signing twice. At B-T each signature waits for the TSA; a TSA that
// is down, slow or answers wrongly fails the attempt before anything is stored, and Temporal retries it. At B-LT
// and B-LTA the signer's certificate is checked with its issuer's OCSP responder / CRL before signing (revoked:
// refused), and the sealed e-copy gets its validation data (and at B-LTA a document timestamp and its chain's data) in the same
// attempt, so a retried attempt starts again from the leader's copy and never appends twice.
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { DossierView } from '../domain/dossier.js';
import type { SignaturePlacement } from '../domain/placement.js';
import { REMOTE_SIGNING_UNAVAILABLE, REVOCATION_UNAVAILABLE, TOKEN_UNAVAILABLE, TSA_UNAVAILABLE, type ErrorCode } from '../domain/errors.js';
import type { FileRef, SignedFileRef } from '../domain/types.js';
import type { ActivityDeps } from './deps.js';
import { CertificateUnusableError } from './certificates.js';
import { beat, whileBeating } from './heartbeat.js';
import { imageBytes } from './images.js';
import { latestTemplate } from './templates.js';
import { prepareAttestation, type SignOptions } from './pdf/sign.js';
import { addValidationData, archiveTimestamp, prefetchValidationData } from './pdf/dss.js';
import { assertNotRevoked, CertificateRevokedError, RevocationUnavailableError, type RevocationAnswers } from './pdf/revocation.js';
import { prepareSeal } from './pdf/seal.js';
import { identityOf, signPlaceholderInPlace, type SignerKey } from './pdf/signer.js';
import { TokenError, type TokenFailureReason } from './pdf/pkcs11.js';
import { CscError, type CscFailureReason } from './pdf/csc.js';
import { TsaError, type Timestamper } from './pdf/tsa.js';
import { ROOM_BYTES } from './pdf/append.js';


/** The deps' TSA, beating while it answers (up to 10 s) and failing the attempt with a retryable TSA_UNAVAILABLE. */
export function activityTimestamper(t: Timestamper | null): Timestamper | null {
  if (!t) return null;
  return {
    async timestamp(imprint) {
      try {
        return await whileBeating(() => t.timestamp(imprint));
      } catch (e) {
        if (!(e instanceof TsaError)) throw e;
        throw ApplicationFailure.retryable(`Chưa lấy được dấu thời gian từ dịch vụ cấp dấu thời gian (${e.message}); hồ sơ không thay đổi, vui lòng thử lại sau ít phút.`, TSA_UNAVAILABLE, { reason: e.reason });
      }
    },
  };
}

/** Asks the certificate's issuer (OCSP, CRL) and its answer fails the attempt: revoked for good, unreachable retried
 *  (as the TSA's outage is, under its own type REVOCATION_UNAVAILABLE). */
export async function askingRevocation<T>(what: () => Promise<T>): Promise<T> {
  try {
    return await whileBeating(what);
  } catch (e) {
    if (e instanceof CertificateRevokedError) throw ApplicationFailure.nonRetryable(e.message, 'certificate_revoked' satisfies ErrorCode);
    if (!(e instanceof RevocationUnavailableError)) throw e;
    throw ApplicationFailure.retryable(`Chưa kiểm tra được tình trạng thu hồi chứng thư số với dịch vụ OCSP/CRL (${e.message}); hồ sơ không thay đổi, vui lòng thử lại sau ít phút.`, REVOCATION_UNAVAILABLE, { reason: e.reason });
  }
}

/** What the seal keeper reads when the seal's PKCS#11 token refuses; none of these is retried (a wrong PIN
 *  tried again counts towards locking the token). */
const TOKEN_REFUSALS: Record<Exclude<TokenFailureReason, 'token_absent'>, string> = {
  pin_incorrect: 'Thiết bị lưu khóa con dấu (token/HSM) từ chối mã PIN đã cấu hình; hệ thống không thử lại để tránh khóa thiết bị. Quản trị viên cần sửa mã PIN trong cấu hình và khởi động lại dịch vụ ký.',
  pin_locked: 'Mã PIN của thiết bị lưu khóa con dấu (token/HSM) đã bị khóa hoặc hết hạn. Quản trị viên cần mở khóa mã PIN trên thiết bị.',
  key_not_found: 'Không tìm thấy khóa con dấu trên thiết bị lưu khóa (token/HSM) theo nhãn đã cấu hình. Quản trị viên cần kiểm tra nhãn khóa trong cấu hình.',
  certificate_not_found: 'Không tìm thấy chứng thư số của con dấu trên thiết bị lưu khóa (token/HSM) hay trong tệp đã cấu hình. Quản trị viên cần nạp chứng thư số.',
  certificate_mismatch: 'Chứng thư số của con dấu không khớp với khóa trên thiết bị lưu khóa (token/HSM). Quản trị viên cần kiểm tra chứng thư số đã nạp.',
  module: 'Không nạp được thư viện PKCS#11 của thiết bị lưu khóa con dấu. Quản trị viên cần kiểm tra cấu hình PKCS11_MODULE.',
  failed: 'Thiết bị lưu khóa con dấu (token/HSM) báo lỗi khi ký. Quản trị viên cần kiểm tra thiết bị.',
};

/** The seal's token failing: absent or removed is retried as the TSA is (TOKEN_UNAVAILABLE); any other refusal stops at once. */
export async function withSealToken<T>(what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (e) {
    if (!(e instanceof TokenError)) throw e;
    if (e.retryable) {
      throw ApplicationFailure.retryable(`Chưa kết nối được thiết bị lưu khóa con dấu (token/HSM) (${e.message}); hồ sơ không thay đổi, hệ thống tự thử lại sau ít phút.`, TOKEN_UNAVAILABLE, { reason: e.reason });
    }
    const reason = e.reason as Exclude<TokenFailureReason, 'token_absent'>;
    throw ApplicationFailure.nonRetryable(`${TOKEN_REFUSALS[reason] ?? TOKEN_REFUSALS.failed} Hồ sơ không thay đổi.`, 'signing_key_unusable' satisfies ErrorCode, { reason: e.reason, detail: e.message });
  }
}

/** What the leader reads when the remote signing service refuses for good (none of these is retried). */
const REMOTE_REFUSALS: Partial<Record<CscFailureReason, string>> = {
  unauthorized: 'Dịch vụ ký số từ xa (CSC) từ chối thông tin đăng nhập đã lưu; hệ thống không thử lại. Lãnh đạo cần cập nhật tên đăng nhập, mật khẩu hoặc mã truy cập tại Trang cá nhân → Chứng thư số → Ký từ xa.',
  not_found: 'Dịch vụ ký số từ xa (CSC) không còn khóa ký đã chọn. Lãnh đạo cần chọn lại khóa ký tại Trang cá nhân → Chứng thư số → Ký từ xa.',
  disabled: 'Khóa ký trên dịch vụ ký số từ xa (CSC) đang bị vô hiệu hóa. Lãnh đạo cần liên hệ tổ chức cung cấp dịch vụ hoặc chọn khóa ký khác tại Trang cá nhân → Chứng thư số → Ký từ xa.',
};

/** The remote signing service failing: down, slow or overloaded is retried as the TSA is (REMOTE_SIGNING_UNAVAILABLE);
 *  a refusal (credentials, the credential, the request) stops at once. */
export async function withRemoteSigner<T>(what: () => Promise<T>): Promise<T> {
  try {
    return await whileBeating(what);
  } catch (e) {
    if (!(e instanceof CscError)) throw e;
    if (e.retryable) {
      throw ApplicationFailure.retryable(`Chưa kết nối được dịch vụ ký số từ xa (CSC) (${e.message}); hồ sơ không thay đổi, hệ thống tự thử lại sau ít phút.`, REMOTE_SIGNING_UNAVAILABLE, { reason: e.reason });
    }
    const message = REMOTE_REFUSALS[e.reason] ?? 'Dịch vụ ký số từ xa (CSC) từ chối yêu cầu ký. Lãnh đạo cần kiểm tra cấu hình tại Trang cá nhân → Chứng thư số → Ký từ xa.';
    throw ApplicationFailure.nonRetryable(`${message} (${e.message}) Hồ sơ không thay đổi.`, 'signing_key_unusable' satisfies ErrorCode, { reason: e.reason, detail: e.message });
  }
}

/** The key of a signature: an uploaded certificate that cannot sign now stops the action (not retried). */
async function keyOf(what: () => Promise<SignerKey>): Promise<SignerKey> {
  try {
    return await what();
  } catch (e) {
    if (e instanceof CertificateUnusableError) throw ApplicationFailure.nonRetryable(e.message, 'signing_key_unusable' satisfies ErrorCode);
    throw e;
  }
}

/**
 * Prepares the file (`prepare`: the page or the seal's update, pure computation) while the key is loaded and its
 * revocation checked (`ready`: another process answers, the OCSP responder), then signs with it. Nothing is signed
 * before the check has passed, and a refused key or certificate is the error reported even when both fail.
 */
async function preparedWhileChecking(ready: Promise<SignerKey>, prepare: () => Promise<Buffer>): Promise<{ prepared: Buffer; key: SignerKey }> {
  ready.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
  let prepared: Buffer;
  try {
    prepared = await prepare();
  } catch (e) {
    await ready;
    throw e;
  }
  return { prepared, key: await ready };
}

export const longTerm = (deps: ActivityDeps) => deps.signing.level === 'B-LT' || deps.signing.level === 'B-LTA';
export const checkNotRevoked = (deps: ActivityDeps, key: SignerKey, answers?: RevocationAnswers) =>
  longTerm(deps) ? askingRevocation(() => assertNotRevoked(identityOf(key).chainDer, { answers })) : Promise.resolve();

/** The certificate a key signs with: SHA-256 of its DER and its holder, as the history and the register name it. */
function certificateOf(key: SignerKey): NonNullable<SignedFileRef['certificate']> {
  const id = identityOf(key);
  return { fingerprint: createHash('sha256').update(id.certDer).digest('hex'), holder: id.commonName };
}

export async function once(deps: ActivityDeps, key: string, code: string, kind: string, make: () => Promise<{ pdf: Buffer; certificate: SignedFileRef['certificate']; templateVersion?: number; after?: FileRef }>): Promise<SignedFileRef> {
  const select = ['sha256', 'size', 'certificate_fingerprint', 'certificate_holder', 'template_version'] as const;
  const refOf = (r: { sha256: string; size: number; certificate_fingerprint: string | null; certificate_holder: string | null; template_version: number | null }): SignedFileRef => ({
    sha256: r.sha256, size: Number(r.size),
    ...(r.certificate_fingerprint ? { certificate: { fingerprint: r.certificate_fingerprint, holder: r.certificate_holder ?? '' } } : {}),
    ...(r.template_version !== null ? { templateVersion: r.template_version } : {}),
  });
  const done = await deps.db.selectFrom('dossier_files').select(select).where('key', '=', key).executeTakeFirst();
  if (done) return refOf(done);
  const made = await make();
  beat('storing');
  const ref = await deps.storage.put(made.pdf, { after: made.after }); // the bytes it appended to `after` only
  await deps.db.insertInto('dossier_files').values({
    key, dossier_code: code, kind, sha256: ref.sha256, size: ref.size,
    certificate_fingerprint: made.certificate?.fingerprint ?? null, certificate_holder: made.certificate?.holder ?? null,
    template_version: made.templateVersion ?? null,
  }).onConflict((oc) => oc.column('key').doNothing()).execute();
  // If another attempt won the race, its file is the one of record.
  return refOf(await deps.db.selectFrom('dossier_files').select(select).where('key', '=', key).executeTakeFirstOrThrow());
}

/** The leader's signature as every way of signing makes it (here, or with a token outside the server). */
export function leaderSignatureOptions(input: { dossier: DossierView; signer: { fullName: string; title: string }; at: string; placement?: SignaturePlacement | null }): Omit<SignOptions, 'key'> {
  const d = input.dossier;
  return {
    attestation: { agencyName: d.agencyName, documentTypeName: d.documentType.name, dossierCode: d.code, date: new Date(input.at), copies: d.copies },
    signerName: input.signer.fullName,
    signerTitle: input.signer.title,
    signingTime: new Date(input.at),
    reason: 'Chứng thực bản sao đúng với bản chính',
    ...(input.placement ? { placement: input.placement } : {}),
  };
}

export function signingActivities(deps: ActivityDeps) {
  const timestamper = activityTimestamper(deps.signing.timestamper);
  return {
    /** `certificate`: the fingerprint of the leader's certificate chosen for this signature (else the one in use);
     *  `placement`: where the signature box goes on the attestation page (else the right column). */
    async signDossier(input: {
      dossier: DossierView; signer: { username: string; fullName: string; title: string }; at: string;
      certificate?: string | null; placement?: SignaturePlacement | null;
    }): Promise<SignedFileRef> {
      const d = input.dossier;
      return once(deps, `${d.code}:signed:${d.scan.sha256}`, d.code, 'signed', async () => {
        const scan = await deps.storage.get(d.scan.sha256, { room: ROOM_BYTES }); // the attestation page is appended in place
        beat('scan read');
        const who = { username: input.signer.username, fullName: input.signer.fullName, ...(input.certificate ? { certificate: input.certificate } : {}) };
        const ready = (async () => {
          const key = await keyOf(() => withRemoteSigner(() => deps.keys.leaderKey(who)));
          await checkNotRevoked(deps, key);
          return key;
        })();
        let templateVersion = 0;
        const { prepared, key } = await preparedWhileChecking(ready, async () => {
          // The attestation text as published now; its version is kept with the file (the e-copy records it).
          const [signatureImagePng, template] = await Promise.all([
            imageBytes(deps.db, deps.storage, 'signature', input.signer.username), latestTemplate(deps.db, 'attestation'),
          ]);
          templateVersion = template.version;
          beat('signing');
          return prepareAttestation(scan, { ...leaderSignatureOptions(input), template: template.body, signatureImagePng, timestamper });
        });
        const pdf = await withRemoteSigner(() => signPlaceholderInPlace(prepared, identityOf(key), { timestamper }));
        return { pdf, certificate: certificateOf(key), templateVersion, after: d.scan };
      });
    },

    async sealDossier(input: { dossier: DossierView; at: string }): Promise<SignedFileRef> {
      const d = input.dossier;
      if (!d.signedPdf || !d.certificationNumber || !d.registerBook) {
        throw ApplicationFailure.nonRetryable('Hồ sơ chưa được ký hoặc chưa có số chứng thực.', 'wrong_state');
      }
      const signedPdf = d.signedPdf;
      const book = d.registerBook;
      const number = d.certificationNumber;
      const sealed = await once(deps, `${d.code}:sealed`, d.code, 'sealed', async () => {
        const signed = await deps.storage.get(signedPdf.sha256, { room: ROOM_BYTES }); // the seal and B-LTA's updates are appended in place
        beat('signed copy read');
        // Within this attempt each certificate's issuer is asked once: the seal's check, then the validation data.
        // Those for the leader's signature are asked now, answered while the seal is made (a failure is met again,
        // and reported, where the validation data awaits the same answer).
        const answers: RevocationAnswers = new Map();
        if (longTerm(deps)) prefetchValidationData(signed, { answers }).catch(() => {});
        const ready = (async () => {
          const key = await keyOf(() => withSealToken(() => deps.keys.sealKey({ code: d.agencyCode, name: d.agencyName })));
          await checkNotRevoked(deps, key, answers);
          return key;
        })();
        const { prepared, key } = await preparedWhileChecking(ready, async () => {
          const sealImagePng = await imageBytes(deps.db, deps.storage, 'seal', d.agencyCode);
          beat('sealing');
          return prepareSeal(signed, {
            sealImagePng, certificationNumber: number, registerBookName: book.name, sealDate: new Date(input.at), agencyName: d.agencyName, timestamper,
          });
        });
        const sealed = await withSealToken(() => signPlaceholderInPlace(prepared, identityOf(key), { timestamper }));
        const certificate = certificateOf(key);
        const after = signedPdf;
        if (!longTerm(deps)) return { pdf: sealed, certificate, after };
        beat('validation data');
        if (deps.signing.level === 'B-LT' || !timestamper) return { pdf: await askingRevocation(() => addValidationData(sealed, { answers })), certificate, after };
        // B-LTA: the validation data, the document timestamp, then the validation data of its own chain.
        return { pdf: await askingRevocation(() => archiveTimestamp(sealed, timestamper, { answers })), certificate, after };
      });
      // The register entry names both certificates (idempotent: a retried attempt writes the same).
      await deps.db.updateTable('register_entries')
        .set({ signer_certificate: signedPdf.certificate?.fingerprint ?? null, seal_certificate: sealed.certificate?.fingerprint ?? null })
        .where('dossier_code', '=', d.code).execute();
      return sealed;
    },
  };
}

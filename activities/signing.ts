// The leader's signature and the agency seal. Each result is remembered under a key, so a retried
// activity returns the first file instead of signing twice. At B-T each signature waits for the TSA; a TSA that
// is down, slow or answers wrongly fails the attempt before anything is stored, and Temporal retries it. At B-LT
// and B-LTA the signer's certificate is checked with its issuer's OCSP responder / CRL before signing (revoked:
// refused), and the sealed e-copy gets its validation data (and at B-LTA a document timestamp and its chain's data) in the same
// attempt, so a retried attempt starts again from the leader's copy and never appends twice.
import { ApplicationFailure } from '@temporalio/activity';
import type { DossierView } from '../domain/dossier.js';
import { REVOCATION_UNAVAILABLE, TSA_UNAVAILABLE, type ErrorCode } from '../domain/errors.js';
import type { FileRef } from '../domain/types.js';
import type { ActivityDeps } from './deps.js';
import { beat, whileBeating } from './heartbeat.js';
import { imageBytes } from './images.js';
import { signWithAttestation } from './pdf/sign.js';
import { addValidationData, archiveTimestamp } from './pdf/dss.js';
import { assertNotRevoked, CertificateRevokedError, RevocationUnavailableError } from './pdf/revocation.js';
import { sealIncremental } from './pdf/seal.js';
import { loadIdentity } from './pdf/signer.js';
import { TsaError, type Timestamper } from './pdf/tsa.js';
import type { KeyMaterial } from './pdf/pki.js';


/** The deps' TSA, beating while it answers (up to 10 s) and failing the attempt with a retryable TSA_UNAVAILABLE. */
export function activityTimestamper(t: Timestamper | null): Timestamper | null {
  if (!t) return null;
  return {
    async timestamp(data) {
      try {
        return await whileBeating(() => t.timestamp(data));
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

const longTerm = (deps: ActivityDeps) => deps.signing.level === 'B-LT' || deps.signing.level === 'B-LTA';
const checkNotRevoked = (deps: ActivityDeps, key: KeyMaterial) =>
  longTerm(deps) ? askingRevocation(() => assertNotRevoked(loadIdentity(key).chainDer)) : Promise.resolve();

async function once(deps: ActivityDeps, key: string, code: string, kind: string, make: () => Promise<Buffer>): Promise<FileRef> {
  const done = await deps.db.selectFrom('dossier_files').select(['sha256', 'size']).where('key', '=', key).executeTakeFirst();
  if (done) return { sha256: done.sha256, size: Number(done.size) };
  const made = await make();
  beat('storing');
  const ref = await deps.storage.put(made);
  await deps.db.insertInto('dossier_files').values({ key, dossier_code: code, kind, sha256: ref.sha256, size: ref.size })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  // If another attempt won the race, its file is the one of record.
  const row = await deps.db.selectFrom('dossier_files').select(['sha256', 'size']).where('key', '=', key).executeTakeFirstOrThrow();
  return { sha256: row.sha256, size: Number(row.size) };
}

export function signingActivities(deps: ActivityDeps) {
  const timestamper = activityTimestamper(deps.signing.timestamper);
  return {
    async signDossier(input: { dossier: DossierView; signer: { username: string; fullName: string; title: string }; at: string }): Promise<FileRef> {
      const d = input.dossier;
      return once(deps, `${d.code}:signed:${d.scan.sha256}`, d.code, 'signed', async () => {
        const scan = await deps.storage.get(d.scan.sha256);
        beat('scan read');
        const key = await deps.keys.leaderKey({ username: input.signer.username, fullName: input.signer.fullName });
        await checkNotRevoked(deps, key);
        const signatureImagePng = await imageBytes(deps.db, deps.storage, 'signature', input.signer.username);
        beat('signing');
        return signWithAttestation(scan, {
          signatureImagePng,
          attestation: { agencyName: d.agencyName, documentTypeName: d.documentType.name, dossierCode: d.code, date: new Date(input.at), copies: d.copies },
          signerName: input.signer.fullName,
          signerTitle: input.signer.title,
          key,
          signingTime: new Date(input.at),
          reason: 'Chứng thực bản sao đúng với bản chính',
          timestamper,
        });
      });
    },

    async sealDossier(input: { dossier: DossierView; at: string }): Promise<FileRef> {
      const d = input.dossier;
      if (!d.signedPdf || !d.certificationNumber || !d.registerBook) {
        throw ApplicationFailure.nonRetryable('Hồ sơ chưa được ký hoặc chưa có số chứng thực.', 'wrong_state');
      }
      const signedPdf = d.signedPdf;
      const book = d.registerBook;
      const number = d.certificationNumber;
      return once(deps, `${d.code}:sealed`, d.code, 'sealed', async () => {
        const signed = await deps.storage.get(signedPdf.sha256);
        beat('signed copy read');
        const key = await deps.keys.sealKey({ code: d.agencyCode, name: d.agencyName });
        await checkNotRevoked(deps, key);
        const sealImagePng = await imageBytes(deps.db, deps.storage, 'seal', d.agencyCode);
        beat('sealing');
        const sealed = await sealIncremental(signed, {
          sealImagePng,
          certificationNumber: number, registerBookName: book.name, sealDate: new Date(input.at), agencyName: d.agencyName, key, timestamper,
        });
        if (!longTerm(deps)) return sealed;
        beat('validation data');
        const lt = await askingRevocation(() => addValidationData(sealed));
        if (deps.signing.level === 'B-LT' || !timestamper) return lt;
        beat('document timestamp');
        return askingRevocation(() => archiveTimestamp(lt, timestamper));
      });
    },
  };
}

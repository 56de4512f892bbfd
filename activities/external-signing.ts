// The leader's signature made outside the server (a USB token driven by a desktop tool, as the seed's VNPT-CA plugin
// did): `prepareExternalSignature` builds the signed copy up to its placeholder exactly as signDossier does, keeps it
// in file storage and answers the signed attributes to sign; `completeExternalSignature` checks the token's signature
// against the certificate, timestamps it (B-T+), checks revocation (B-LT+), assembles the CMS and stores the file.
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { DossierView } from '../domain/dossier.js';
import type { SignaturePlacement } from '../domain/placement.js';
import type { ErrorCode } from '../domain/errors.js';
import type { FileRef, SignedFileRef } from '../domain/types.js';
import type { SignPreparation } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';
import { beat } from './heartbeat.js';
import type { FileStorage } from './storage.js';
import { imageBytes } from './images.js';
import { latestTemplate } from './templates.js';
import { prepareAttestation } from './pdf/sign.js';
import { imprintOf } from './pdf/tsa.js';
import { assembleCms, filledPlaceholder, fillByteRange, keyTypeOf, signedAttributes, cmsSignatureOf, writeContents, type SigningIdentity } from './pdf/signer.js';
import { activityTimestamper, checkNotRevoked, leaderSignatureOptions, once } from './signing.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

/** An identity that cannot sign here: what the revocation check and the certificate of record read of a chain. */
function externalIdentity(chain: Buffer[], holder: string): SigningIdentity {
  const keyType = keyTypeOf(chain[0]);
  if (!keyType) throw ApplicationFailure.nonRetryable('Khóa của chứng thư số không phải RSA hay ECDSA.', 'certificate_refused' satisfies ErrorCode);
  return {
    certDer: chain[0], chainDer: chain, commonName: holder, keyType,
    sign: () => Promise.reject(new Error('An external signer signs outside the server')),
  };
}

/**
 * Keeps a prepared copy until the token has signed. A scan with a classic xref gets the attestation page as an
 * incremental update: only those appended bytes are stored (the scan is in storage already), so the 30 MB copy is
 * neither written nor read back whole.
 */
export async function storePrepared(storage: FileStorage, scan: { bytes: Buffer; ref: FileRef }, pdf: Buffer): Promise<Pick<SignPreparation, 'prepared' | 'preparedOn'>> {
  const appended = pdf.length > scan.bytes.length && pdf.subarray(0, scan.bytes.length).equals(scan.bytes);
  if (!appended) return { prepared: await storage.put(pdf) };
  return { prepared: await storage.put(pdf.subarray(scan.bytes.length)), preparedOn: scan.ref };
}

/** The prepared copy as `storePrepared` kept it. */
export async function loadPrepared(storage: FileStorage, p: Pick<SignPreparation, 'prepared' | 'preparedOn'>): Promise<Buffer> {
  const stored = await storage.get(p.prepared.sha256);
  return p.preparedOn ? Buffer.concat([await storage.get(p.preparedOn.sha256), stored]) : stored;
}

export function externalSigningActivities(deps: ActivityDeps) {
  const timestamper = activityTimestamper(deps.signing.timestamper);
  return {
    /** The prepared copy (stored) and the DER signed attributes for `certificateChain[0]`. Retried safely: the same
     *  input makes the same bytes, stored under their hash. */
    async prepareExternalSignature(input: {
      dossier: DossierView; signer: { username: string; fullName: string; title: string }; at: string; certificateChain: string[];
      placement?: SignaturePlacement | null;
    }): Promise<Pick<SignPreparation, 'prepared' | 'preparedOn' | 'signedAttributes' | 'digest' | 'templateVersion'>> {
      const d = input.dossier;
      const scan = await deps.storage.get(d.scan.sha256);
      beat('scan read');
      const signatureImagePng = await imageBytes(deps.db, deps.storage, 'signature', input.signer.username);
      // Room for the timestamp whenever one is configured, as signDossier leaves it.
      // The same attestation template as signDossier: the latest published one, its version kept with the preparation.
      const template = await latestTemplate(deps.db, 'attestation');
      const pdf = await prepareAttestation(scan, { ...leaderSignatureOptions(input), template: template.body, signatureImagePng, timestamper });
      const { digest } = fillByteRange(pdf);
      const attrs = signedAttributes(digest, b64(input.certificateChain[0]));
      beat('storing');
      const stored = await storePrepared(deps.storage, { bytes: scan, ref: d.scan }, pdf);
      return { ...stored, signedAttributes: attrs.toString('base64'), digest: createHash('sha256').update(attrs).digest('base64'), templateVersion: template.version };
    },

    /** The signed copy from a preparation and the token's signature; a signature that does not verify is refused
     *  (not retried) before anything is stored. Idempotent per preparation. */
    async completeExternalSignature(input: { dossier: DossierView; preparation: SignPreparation; signature: string }): Promise<SignedFileRef> {
      const p = input.preparation;
      const d = input.dossier;
      return once(deps, `${d.code}:signed:external:${p.preparationId}`, d.code, 'signed', async () => {
        const chain = p.certificateChain.map(b64);
        const attrs = b64(p.signedAttributes);
        const signature = cmsSignatureOf(chain[0], attrs, b64(input.signature));
        if (!signature) {
          throw ApplicationFailure.nonRetryable('Chữ ký số gửi lên không khớp với chứng thư số đã dùng khi chuẩn bị ký (hoặc không ký đúng dữ liệu signedAttributes). Hồ sơ không thay đổi; vui lòng ký lại.', 'signature_invalid' satisfies ErrorCode);
        }
        const id = externalIdentity(chain, p.certificate.holder);
        await checkNotRevoked(deps, id);
        // Content-addressed: the very bytes whose byte-range digest the signed attributes carry.
        const pdf = await loadPrepared(deps.storage, p);
        const placeholder = filledPlaceholder(pdf);
        beat('timestamp');
        const token = timestamper ? await timestamper.timestamp(imprintOf(signature)) : undefined;
        const cms = assembleCms(attrs, signature, chain, id.keyType, token);
        writeContents(pdf, placeholder, cms);
        // A token's certificate that was also uploaded is marked used, as an uploaded one that signs is (never deleted).
        await deps.db.updateTable('certificates').set({ first_used_at: new Date() })
          .where('fingerprint', '=', p.certificate.fingerprint).where('first_used_at', 'is', null).execute();
        return { pdf, certificate: p.certificate, ...(p.templateVersion !== undefined ? { templateVersion: p.templateVersion } : {}) };
      });
    },
  };
}

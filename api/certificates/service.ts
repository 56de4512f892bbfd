// The use cases of uploaded certificates, shared by the screens and the JSON API: who may upload which (the leader
// a personal one, the seal keeper the agency's seal), every check before one is stored (the file, the rules of
// domain/certificate.ts, the path to a trust anchor, revocation), the key wrapped under the KEK, and which is in use.
import { openPkcs12OffThread } from '../../activities/pdf/pool.js';
import { issuerAmong, pathToAnchor } from '../../activities/pdf/chain.js';
import { certificateFacts } from '../../activities/pdf/pkcs12.js';
import { CertificateRevokedError, revocationOf, RevocationUnavailableError, type RevocationInfo } from '../../activities/pdf/revocation.js';
import { judgeCertificate, type CertificatePurpose, type Finding } from '../../domain/certificate.js';
import { DomainError } from '../../domain/errors.js';
import { vnDate } from '../../domain/vn-time.js';
import type { Actor } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { wrapKey, type KeyRing } from '../../lib/key-encryption.js';
import { assertRole } from '../http/guards.js';
import { recordAdminEvent } from '../admin/service.js';
import type { AdminEvent, CertificateRecord } from '../../domain/admin-audit.js';
import { RemoteSigningService } from './remote.js';
import { approveCertificate, approveRemoteSigner, findCertificate, insertCertificate, listCertificates, pendingApprovals, pendingRemoteApprovals, putInUse, remoteSignerCertificate, type CertificateListRow } from './queries.js';

export const PKCS12_UPLOAD_MAX_BYTES = 256 * 1024;
/** A person waits for the revocation answer at upload: bounded well below the request's patience. */
const UPLOAD_REVOCATION_TIMEOUT_MS = 5_000;

export interface CertificateView {
  fingerprint: string;
  purpose: CertificatePurpose;
  owner: string;
  subject: string;
  issuer: string;
  serial: string;
  commonName: string | null;
  notBefore: string;
  notAfter: string;
  keyUsage: string[] | null;
  status: 'in_use' | 'standby' | 'needs_approval' | 'expired';
  warnings: { code: string; message: string }[];
  uploadedBy: string;
  uploadedAt: string;
  firstUsedAt: string | null;
  /** The certificate of a remote signing service's credential (CSC), not an uploaded file. */
  remote?: boolean;
}

export interface CertificateServiceOptions {
  mode: 'demo' | 'production';
  keyRing: KeyRing;
  /** The CA certificates (DER) a certificate must chain to: TRUST_ANCHORS, and in demo mode the test CA. */
  trustAnchors: () => Promise<Buffer[]>;
  /** Revocation lookup (default: the certificate's OCSP responder and CRL). */
  revocation?: (certDer: Buffer, issuerDer: Buffer) => Promise<RevocationInfo | null>;
  now?: () => Date;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function viewOf(r: CertificateListRow, now = new Date()): CertificateView {
  const status = r.needs_approval ? 'needs_approval' : new Date(r.not_after) < now ? 'expired' : r.in_use ? 'in_use' : 'standby';
  return {
    fingerprint: r.fingerprint, purpose: r.purpose, owner: r.owner, subject: r.subject, issuer: r.issuer, serial: r.serial,
    commonName: r.common_name, notBefore: iso(r.not_before), notAfter: iso(r.not_after), keyUsage: r.key_usage, status,
    warnings: r.warnings, uploadedBy: r.uploaded_by, uploadedAt: iso(r.uploaded_at), firstUsedAt: r.first_used_at ? iso(r.first_used_at) : null,
  };
}

/** A remote signing credential's certificate as the approvals list shows it (`remote: true`). */
function remoteCertificateView(
  r: { username: string; cert_fingerprint: string; cert_der: Buffer; warnings: { code: string; message: string }[]; updated_by: string; updated_at: Date | string },
  status: CertificateView['status'],
): CertificateView {
  const f = certificateFacts(r.cert_der);
  return {
    fingerprint: r.cert_fingerprint, purpose: 'personal', owner: r.username, subject: f.subject, issuer: f.issuer, serial: f.serial,
    commonName: f.commonName, notBefore: iso(f.notBefore), notAfter: iso(f.notAfter), keyUsage: f.keyUsage, status,
    warnings: r.warnings, uploadedBy: r.updated_by, uploadedAt: iso(r.updated_at), firstUsedAt: null, remote: true,
  };
}

/** A certificate as the audit of administration records it: its facts and state, never its key. */
const certificateRecord = (r: CertificateListRow): CertificateRecord => ({
  fingerprint: r.fingerprint, purpose: r.purpose, owner: r.owner, subject: r.subject, commonName: r.common_name, issuer: r.issuer, serial: r.serial,
  notBefore: iso(r.not_before), notAfter: iso(r.not_after), inUse: r.in_use, needsApproval: r.needs_approval,
});

export const refused = (findings: Finding<string>[]) =>
  new DomainError('certificate_refused', `Không thể dùng chứng thư số này: ${findings.map((f) => f.message).join(' ')}`, 'file');

export class CertificateService {
  private readonly lookUp: (certDer: Buffer, issuerDer: Buffer) => Promise<RevocationInfo | null>;
  private readonly now: () => Date;
  /** The leader's remote signing service (CSC API), checked as uploads are. */
  readonly remote: RemoteSigningService;

  constructor(private readonly db: Db, private readonly o: CertificateServiceOptions) {
    this.lookUp = o.revocation ?? ((c, i) => revocationOf(c, i, { timeoutMs: UPLOAD_REVOCATION_TIMEOUT_MS }));
    this.now = o.now ?? (() => new Date());
    this.remote = new RemoteSigningService(db, o.keyRing, this, { mode: o.mode, now: () => this.now() });
  }

  /** Whose certificates `purpose` names for this actor: the leader's own, or the seal of the actor's agency. */
  private ownerOf(actor: Actor, purpose: CertificatePurpose): string {
    if (purpose === 'personal') {
      assertRole(actor, 'signer', 'Chỉ lãnh đạo ký được tải lên chứng thư số cá nhân.');
      return actor.username;
    }
    assertRole(actor, 'sealer', 'Chỉ văn thư (người giữ con dấu) được tải lên chứng thư số của cơ quan.');
    return actor.agencyCode;
  }

  async list(actor: Actor): Promise<{ personal: CertificateView[]; seal: CertificateView[] }> {
    const now = this.now();
    const personal = actor.roles.includes('signer') ? await listCertificates(this.db, 'personal', actor.username) : [];
    // The agency's seal certificates are listed to all its staff (read only: only the seal keeper uploads or picks).
    const seal = await listCertificates(this.db, 'seal', actor.agencyCode);
    return { personal: personal.map((r) => viewOf(r, now)), seal: seal.map((r) => viewOf(r, now)) };
  }

  /**
   * Every check, then the certificate is stored with its key wrapped; nothing is stored when one refuses. A
   * warning (a holder name that differs; in demo mode a status that cannot be learned) is kept with it, and a
   * name that differs keeps it out of use until an administrator approves it.
   */
  async upload(actor: Actor, input: { file: Buffer; passphrase: string; purpose: CertificatePurpose; agencyName: string }): Promise<CertificateView> {
    const owner = this.ownerOf(actor, input.purpose);
    if (!input.file.length) throw new DomainError('validation', 'Vui lòng chọn tệp chứng thư số (.p12, .pfx).', 'file');
    if (input.file.length > PKCS12_UPLOAD_MAX_BYTES) throw new DomainError('too_large', 'Tệp chứng thư số quá lớn (tối đa 256 KB).', 'file');
    const { opened, facts } = await openPkcs12OffThread(input.file, input.passphrase);
    const now = this.now();
    const judged = judgeCertificate(facts, {
      purpose: input.purpose, now,
      holder: { fullName: actor.fullName },
      agency: { code: actor.agencyCode, name: input.agencyName },
    });
    const { refusals, warnings, path } = await this.trust(opened.certDer, opened.chainDer, judged, now);
    if (refusals.length) throw refused(refusals);

    const wrapped = wrapKey(this.o.keyRing, opened.keyPkcs8, facts.fingerprint);
    const row = await this.db.transaction().execute(async (tx) => {
      const stored = await insertCertificate(tx, {
        fingerprint: facts.fingerprint, purpose: input.purpose, owner, subject: facts.subject, issuer: facts.issuer, serial: facts.serial,
        commonName: facts.commonName, notBefore: facts.notBefore, notAfter: facts.notAfter, keyUsage: facts.keyUsage,
        certDer: opened.certDer, chainDer: path ? path.path : opened.chainDer, keyWrapped: wrapped.blob, kekId: wrapped.kekId,
        warnings, needsApproval: warnings.some((w) => w.code === 'certificate_holder_name_differs'), uploadedBy: actor.username,
      });
      if (!stored) throw new DomainError('conflict', 'Chứng thư số này đã được tải lên trước đây.', 'file');
      const after = (await findCertificate(tx, facts.fingerprint))!;
      await this.record(tx, actor, { entity: 'certificate', entityId: after.fingerprint, action: 'created', before: null, after: certificateRecord(after) });
      return after;
    });
    return viewOf(row, now);
  }

  /** A personal certificate belongs to its leader's agency, the seal's to the agency: the actor's, here. */
  private record(tx: Db, actor: Actor, event: Extract<AdminEvent, { entity: 'certificate' }>) {
    return recordAdminEvent(tx, { actor: actor.username, agencyCode: actor.agencyCode, event });
  }

  /** The owner picks which of its certificates signs from now on. */
  async use(actor: Actor, fingerprint: string): Promise<CertificateView> {
    const row = await findCertificate(this.db, fingerprint);
    if (!row) throw new DomainError('not_found', 'Không tìm thấy chứng thư số.');
    if (row.owner !== this.ownerOf(actor, row.purpose)) throw new DomainError('forbidden', 'Chứng thư số này không thuộc về bạn hoặc cơ quan của bạn.');
    if (row.needs_approval) throw new DomainError('wrong_state', 'Chứng thư số đang chờ quản trị viên xác nhận.');
    if (new Date(row.not_after) < this.now()) throw new DomainError('wrong_state', `Chứng thư số đã hết hạn ngày ${vnDate(row.not_after)}.`);
    if (row.in_use) return viewOf(row, this.now()); // already the one in use: nothing changes, nothing recorded
    const after = await this.db.transaction().execute(async (tx) => {
      await putInUse(tx, row.purpose, row.owner, fingerprint);
      const chosen = (await findCertificate(tx, fingerprint))!;
      await this.record(tx, actor, { entity: 'certificate', entityId: fingerprint, action: 'put_in_use', before: certificateRecord(row), after: certificateRecord(chosen) });
      return chosen;
    });
    return viewOf(after, this.now());
  }

  /**
   * The leader's own certificate chosen for one signature (`POST /dossiers/{code}/sign {certificate}`): one of their
   * uploaded personal certificates that can sign now, or their remote signing service's. Returns the fingerprint in
   * the form the worker looks up (lower-case hex).
   */
  async signingCertificate(actor: Actor, fingerprint: string): Promise<string> {
    assertRole(actor, 'signer', 'Chỉ lãnh đạo ký được ký số hồ sơ.');
    const fp = fingerprint.replace(/[:\s]/g, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(fp)) throw new DomainError('validation', 'Chứng thư số được chọn phải là dấu vân tay SHA-256 (64 ký tự hex).', 'certificate');
    const row = await findCertificate(this.db, fp);
    if (row && row.purpose === 'personal' && row.owner === actor.username) {
      if (row.needs_approval) throw new DomainError('certificate_refused', 'Chứng thư số đã chọn đang chờ quản trị viên xác nhận (tên người giữ chứng thư khác họ tên tài khoản).', 'certificate');
      if (new Date(row.not_after) < this.now()) throw new DomainError('certificate_refused', `Chứng thư số đã chọn đã hết hạn ngày ${vnDate(row.not_after)}.`, 'certificate');
      return fp;
    }
    const remote = await remoteSignerCertificate(this.db, actor.username);
    if (remote?.cert_fingerprint === fp) {
      if (remote.needs_approval) throw new DomainError('certificate_refused', 'Chứng thư số của dịch vụ ký số từ xa đang chờ quản trị viên xác nhận (tên người giữ chứng thư khác họ tên tài khoản).', 'certificate');
      return fp;
    }
    throw new DomainError('validation', 'Chứng thư số đã chọn không phải chứng thư số của bạn (Trang cá nhân → Chứng thư số).', 'certificate');
  }

  /** Personal certificates of the administrator's agency's users that wait for an approval. */
  async pending(actor: Actor): Promise<CertificateView[]> {
    assertRole(actor, 'admin', 'Chỉ quản trị viên được xác nhận chứng thư số.');
    const uploaded = (await pendingApprovals(this.db, actor.agencyCode)).map((r) => viewOf(r, this.now()));
    const remote = (await pendingRemoteApprovals(this.db, actor.agencyCode)).map((r) => remoteCertificateView(r, 'needs_approval'));
    return [...uploaded, ...remote];
  }

  /** An administrator accepts a personal certificate whose holder name differs from the user's full name. */
  async approve(actor: Actor, fingerprint: string): Promise<CertificateView> {
    assertRole(actor, 'admin', 'Chỉ quản trị viên được xác nhận chứng thư số.');
    const row = await findCertificate(this.db, fingerprint);
    if (!row) {
      // A remote signing credential's certificate, waiting in the administrator's agency.
      const remote = (await pendingRemoteApprovals(this.db, actor.agencyCode)).find((r) => r.cert_fingerprint === fingerprint);
      if (!remote) throw new DomainError('not_found', 'Không tìm thấy chứng thư số chờ xác nhận.');
      const view = remoteCertificateView(remote, 'in_use');
      const before: CertificateRecord = {
        fingerprint, purpose: 'personal', owner: remote.username, subject: view.subject, commonName: view.commonName, issuer: view.issuer, serial: view.serial,
        notBefore: view.notBefore, notAfter: view.notAfter, inUse: false, needsApproval: true, remote: true,
      };
      await this.db.transaction().execute(async (tx) => {
        await approveRemoteSigner(tx, remote.username, fingerprint, actor.username);
        await this.record(tx, actor, { entity: 'certificate', entityId: fingerprint, action: 'approved', before, after: { ...before, inUse: true, needsApproval: false } });
      });
      return view;
    }
    if (!row.needs_approval) throw new DomainError('wrong_state', 'Chứng thư số không cần xác nhận.');
    if (!(await pendingApprovals(this.db, actor.agencyCode)).some((p) => p.fingerprint === fingerprint)) {
      throw new DomainError('wrong_agency', 'Chứng thư số này thuộc người dùng của cơ quan khác.');
    }
    const after = await this.db.transaction().execute(async (tx) => {
      await approveCertificate(tx, fingerprint, actor.username);
      const approved = (await findCertificate(tx, fingerprint))!;
      await this.record(tx, actor, { entity: 'certificate', entityId: fingerprint, action: 'approved', before: certificateRecord(row), after: certificateRecord(approved) });
      return approved;
    });
    return viewOf(after, this.now());
  }

  /**
   * The checks after the certificate's own rules (`judged`): a path to a trust anchor, then revocation (a status
   * that cannot be learned refuses in production, warns in demo). Shared by uploads and remote signers.
   */
  async trust(certDer: Buffer, chainDer: Buffer[], judged: { refusals: Finding<string>[]; warnings: Finding<string>[] }, now: Date) {
    const refusals: Finding<string>[] = [...judged.refusals];
    const warnings: Finding<string>[] = [...judged.warnings];
    const anchors = await this.o.trustAnchors();
    const path = pathToAnchor(certDer, chainDer.slice(1), anchors, now);
    if (!path) {
      refusals.push({ code: 'certificate_untrusted', message: 'Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp (không dẫn tới chứng thư gốc nào trong danh sách tin cậy).' });
    }
    if (!refusals.length) {
      const status = await this.revocationStatus(certDer, path?.path[1] ?? issuerAmong(certDer, [...chainDer, ...anchors]));
      if (status.refusal) refusals.push(status.refusal);
      if (status.unknown) {
        const finding = { code: 'certificate_status_unknown', message: `Chưa xác định được tình trạng thu hồi của chứng thư số (${status.unknown}).` };
        if (this.o.mode === 'production') refusals.push(finding);
        else warnings.push(finding);
      }
    }
    return { refusals, warnings, path };
  }

  /**
   * A certificate chain a leader signs with outside the server (a USB token): readable, valid now, for signing,
   * chaining to the trust anchors, and the leader's own: its holder name is the user's full name, or it is one of
   * the leader's uploaded personal certificates that an administrator approved. Revocation is asked when signing.
   * Returns the chain to embed (leaf first, up to the anchor) and the certificate of record.
   */
  async externalSigner(actor: Actor, chainDer: Buffer[]): Promise<{ chainDer: Buffer[]; fingerprint: string; holder: string }> {
    assertRole(actor, 'signer', 'Chỉ lãnh đạo ký được ký số hồ sơ.');
    const leaf = chainDer[0];
    let facts;
    try {
      facts = certificateFacts(leaf);
    } catch {
      throw new DomainError('validation', 'Không đọc được chứng thư số của người ký (PEM, chứng thư của người ký trước rồi tới các chứng thư cấp trên).', 'certificate');
    }
    const now = this.now();
    const judged = judgeCertificate(facts, { purpose: 'personal', now, holder: { fullName: actor.fullName } });
    const refusals: Finding<string>[] = [...judged.refusals];
    const path = pathToAnchor(leaf, chainDer.slice(1), await this.o.trustAnchors(), now);
    if (!path) refusals.push({ code: 'certificate_untrusted', message: 'Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp (không dẫn tới chứng thư gốc nào trong danh sách tin cậy).' });
    if (judged.warnings.some((w) => w.code === 'certificate_holder_name_differs')) {
      const uploaded = await findCertificate(this.db, facts.fingerprint);
      const approved = uploaded && uploaded.purpose === 'personal' && uploaded.owner === actor.username && !uploaded.needs_approval;
      if (!approved) {
        refusals.push({ code: 'certificate_not_signers', message: `Chứng thư số mang tên “${facts.commonName ?? ''}”, không phải của “${actor.fullName}”: chỉ được ký bằng chứng thư số của chính mình (hoặc chứng thư đã tải lên và được quản trị viên xác nhận).` });
      }
    }
    if (refusals.length) throw new DomainError('certificate_refused', `Không thể ký bằng chứng thư số này: ${refusals.map((f) => f.message).join(' ')}`, 'certificate');
    return { chainDer: path!.path, fingerprint: facts.fingerprint, holder: facts.commonName ?? facts.subject };
  }

  private async revocationStatus(certDer: Buffer, issuerDer: Buffer | null): Promise<{ refusal?: Finding<string>; unknown?: string }> {
    if (!issuerDer) return { unknown: 'không có chứng thư của tổ chức cấp' };
    try {
      const info = await this.lookUp(certDer, issuerDer);
      return info ? {} : { unknown: 'chứng thư số không ghi địa chỉ OCSP hay CRL' };
    } catch (e) {
      if (e instanceof CertificateRevokedError) {
        return { refusal: { code: 'certificate_revoked', message: `Chứng thư số đã bị thu hồi${e.revokedAt ? ` từ ngày ${vnDate(e.revokedAt)}` : ''}.` } };
      }
      if (e instanceof RevocationUnavailableError) return { unknown: 'dịch vụ OCSP/CRL không trả lời' };
      throw e;
    }
  }
}

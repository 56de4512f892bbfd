// The use cases of a leader's remote signing service (CSC API) on "Trang cá nhân → Chứng thư số → Ký từ xa":
// list the credentials a service offers, save a choice after checking its certificate as an upload is checked
// (the rules, a path to a trust anchor, revocation) with the secrets wrapped under the KEK, switch it on or off.
import { createHash } from 'node:crypto';
import { cscAuthOf, remoteSecretContext, type RemoteAuthKind, type RemoteSecret } from '../../activities/remote-signers.js';
import { assertEnabled, cscClient, CscError } from '../../activities/pdf/csc.js';
import { certificateFacts } from '../../activities/pdf/pkcs12.js';
import { judgeCertificate } from '../../domain/certificate.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { Db } from '../../lib/db.js';
import { wrapKey, type KeyRing } from '../../lib/key-encryption.js';
import { assertRole } from '../http/guards.js';
import { refused, type CertificateService } from './service.js';

export interface RemoteSignerInput extends RemoteSecret {
  serviceUrl: string;
  authKind: RemoteAuthKind;
}

export interface RemoteSignerView {
  serviceUrl: string;
  credentialId: string;
  authKind: RemoteAuthKind;
  fingerprint: string;
  subject: string;
  commonName: string | null;
  notAfter: string;
  inUse: boolean;
  /** The certificate names someone else than the leader: not used until an administrator approves it. */
  needsApproval: boolean;
  warnings: { code: string; message: string }[];
  updatedAt: string;
}

const ROLE_MESSAGE = 'Chỉ lãnh đạo ký được cấu hình ký số từ xa cho chính mình.';

/** A service's failure, in the leader's words (nothing was stored). */
function serviceError(e: unknown): unknown {
  if (!(e instanceof CscError)) return e;
  if (e.retryable) return new DomainError('unavailable', `Chưa kết nối được dịch vụ ký số từ xa (${e.message}); chưa lưu gì, vui lòng thử lại sau ít phút.`, 'serviceUrl');
  const what: Record<string, string> = {
    unauthorized: 'Dịch vụ ký số từ xa từ chối thông tin đăng nhập (tên đăng nhập, mật khẩu hoặc mã truy cập không đúng).',
    not_found: 'Dịch vụ ký số từ xa không có khóa ký này (hoặc địa chỉ dịch vụ không đúng).',
    disabled: 'Khóa ký trên dịch vụ ký số từ xa đang bị vô hiệu hóa.',
  };
  return new DomainError('certificate_refused', `${what[e.reason] ?? 'Dịch vụ ký số từ xa từ chối yêu cầu.'} (${e.message}) Chưa lưu gì.`, 'serviceUrl');
}

const viewOf = (r: {
  service_url: string; credential_id: string; auth_kind: RemoteAuthKind; cert_fingerprint: string; subject: string; common_name: string | null;
  not_after: Date | string; in_use: boolean; needs_approval: boolean; warnings: { code: string; message: string }[]; updated_at: Date | string;
}): RemoteSignerView => ({
  serviceUrl: r.service_url, credentialId: r.credential_id, authKind: r.auth_kind, fingerprint: r.cert_fingerprint, subject: r.subject,
  commonName: r.common_name, notAfter: new Date(r.not_after).toISOString(), inUse: r.in_use, needsApproval: r.needs_approval, warnings: r.warnings,
  updatedAt: new Date(r.updated_at).toISOString(),
});

export class RemoteSigningService {
  constructor(
    private readonly db: Db, private readonly ring: KeyRing, private readonly certificates: CertificateService,
    private readonly o: { mode: 'demo' | 'production'; now: () => Date },
  ) {}

  private now() { return this.o.now(); }

  private client(input: RemoteSignerInput) {
    let url: URL;
    try {
      url = new URL(input.serviceUrl);
      // Production sends credentials only over TLS; demo also accepts http (a test service on loopback).
      if (url.protocol !== 'https:' && (url.protocol !== 'http:' || this.o.mode === 'production')) throw new Error('scheme');
    } catch {
      throw new DomainError('validation', `Địa chỉ dịch vụ ký số từ xa phải là một URL ${this.o.mode === 'production' ? 'https' : 'http(s)'}, ví dụ https://ky-so.example.vn/csc/v2.`, 'serviceUrl');
    }
    const auth = cscAuthOf(input.authKind, input);
    if (auth.kind === 'token' && !auth.token) throw new DomainError('validation', 'Vui lòng nhập mã truy cập (access token) của dịch vụ.', 'token');
    if (auth.kind === 'basic' && (!auth.username || !auth.password)) throw new DomainError('validation', 'Vui lòng nhập tên đăng nhập và mật khẩu của dịch vụ.', 'username');
    if (auth.kind === 'oauth2') {
      if (!auth.clientId || !auth.clientSecret) throw new DomainError('validation', 'Vui lòng nhập mã ứng dụng (client id) và khóa bí mật (client secret) OAuth2.', 'clientId');
      try {
        const p = new URL(auth.tokenUrl).protocol;
        if (p !== 'https:' && (p !== 'http:' || this.o.mode === 'production')) throw new Error('scheme');
      } catch {
        throw new DomainError('validation', `Địa chỉ cấp mã truy cập OAuth2 (token URL) phải là một URL ${this.o.mode === 'production' ? 'https' : 'http(s)'}.`, 'tokenUrl');
      }
    }
    return cscClient({ url: url.toString().replace(/\/+$/, ''), auth, ...(input.pin ? { pin: input.pin } : {}) });
  }

  async get(actor: Actor): Promise<RemoteSignerView | null> {
    assertRole(actor, 'signer', ROLE_MESSAGE);
    const row = await this.db.selectFrom('remote_signers').selectAll().where('username', '=', actor.username).executeTakeFirst();
    return row ? viewOf(row) : null;
  }

  /** The credentials the service offers (to pick one). */
  async credentials(actor: Actor, input: RemoteSignerInput): Promise<string[]> {
    assertRole(actor, 'signer', ROLE_MESSAGE);
    try { return await this.client(input).listCredentials(); } catch (e) { throw serviceError(e); }
  }

  /** Checks the credential's certificate as an uploaded one is checked, then stores the choice (in use). */
  async save(actor: Actor, input: RemoteSignerInput & { credentialId: string }): Promise<RemoteSignerView> {
    assertRole(actor, 'signer', ROLE_MESSAGE);
    if (!input.credentialId) throw new DomainError('validation', 'Vui lòng chọn khóa ký (credential) trên dịch vụ.', 'credentialId');
    const client = this.client(input);
    let credential;
    try { credential = assertEnabled(await client.credentialInfo(input.credentialId)); } catch (e) { throw serviceError(e); }
    const certDer = credential.chainDer[0]!;
    const facts = certificateFacts(certDer);
    const now = this.now();
    const judged = judgeCertificate(facts, { purpose: 'personal', now, holder: { fullName: actor.fullName } });
    const { refusals, warnings, path } = await this.certificates.trust(certDer, credential.chainDer, judged, now);
    if (refusals.length) throw refused(refusals);
    // A holder name that differs is kept, out of use, until an administrator approves it (as an uploaded certificate).
    const needsApproval = warnings.some((w) => w.code === 'certificate_holder_name_differs');

    const secret: RemoteSecret = {
      ...(input.authKind === 'token' ? { token: input.token } : {}),
      ...(input.authKind === 'basic' ? { username: input.username, password: input.password } : {}),
      ...(input.authKind === 'oauth2' ? { tokenUrl: input.tokenUrl, clientId: input.clientId, clientSecret: input.clientSecret } : {}),
      ...(input.pin ? { pin: input.pin } : {}),
    };
    const wrapped = Object.keys(secret).length ? wrapKey(this.ring, Buffer.from(JSON.stringify(secret)), remoteSecretContext(actor.username)) : null;
    const values = {
      service_url: input.serviceUrl.replace(/\/+$/, ''), credential_id: input.credentialId, auth_kind: input.authKind,
      secret_wrapped: wrapped?.blob ?? null, kek_id: wrapped?.kekId ?? null,
      cert_fingerprint: createHash('sha256').update(certDer).digest('hex'), cert_der: certDer,
      chain_der: JSON.stringify((path ? path.path : credential.chainDer).map((b) => b.toString('base64'))),
      subject: facts.subject, common_name: facts.commonName, not_after: facts.notAfter, in_use: !needsApproval,
      needs_approval: needsApproval, approved_by: null, approved_at: null, warnings: JSON.stringify(warnings),
      updated_by: actor.username, updated_at: now,
    };
    await this.db.insertInto('remote_signers').values({ username: actor.username, ...values })
      .onConflict((oc) => oc.column('username').doUpdateSet(values)).execute();
    return (await this.get(actor))!;
  }

  /** Sign through the service (on) or with the uploaded certificate in use again (off). */
  async use(actor: Actor, on: boolean): Promise<RemoteSignerView> {
    assertRole(actor, 'signer', ROLE_MESSAGE);
    if (on && (await this.get(actor))?.needsApproval) throw new DomainError('wrong_state', 'Chứng thư số của dịch vụ ký số từ xa đang chờ quản trị viên xác nhận.');
    const r = await this.db.updateTable('remote_signers').set({ in_use: on, updated_by: actor.username, updated_at: this.now() })
      .where('username', '=', actor.username).executeTakeFirst();
    if (!Number(r.numUpdatedRows)) throw new DomainError('not_found', 'Chưa cấu hình ký số từ xa.');
    return (await this.get(actor))!;
  }
}

// Leaders who sign through a remote signing service (CSC API, configured on "Trang cá nhân → Chứng thư số"): the
// worker unwraps the service's secrets only to sign, asks credentials/info for the credential's certificate (the
// one checked on save, still enabled), and signs through credentials/authorize + signatures/signHash.
import { createHash } from 'node:crypto';
import { vnDate } from '../domain/vn-time.js';
import type { Db } from '../lib/db.js';
import { unwrapKey, type KeyRing } from '../lib/key-encryption.js';
import { CertificateUnusableError } from './certificates.js';
import { assertEnabled, cscClient, remoteIdentity, type CscAuth, type CscService } from './pdf/csc.js';
import type { KeyStore } from './pdf/pki.js';
import type { SigningIdentity } from './pdf/signer.js';

/** The secrets of a remote signer, as wrapped at rest. */
export interface RemoteSecret {
  token?: string;
  username?: string;
  password?: string;
  /** OAuth2 client credentials and the token endpoint. */
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  pin?: string;
}

export type RemoteAuthKind = 'none' | 'token' | 'basic' | 'oauth2';

/** The context the secrets are wrapped under (a blob moved to another user's row does not open). */
export const remoteSecretContext = (username: string) => `remote-signer:${username}`;

/** How to authenticate, from the kind and the secrets (the one place that reads them). */
export function cscAuthOf(kind: RemoteAuthKind, secret: RemoteSecret): CscAuth {
  switch (kind) {
    case 'token': return { kind, token: secret.token ?? '' };
    case 'basic': return { kind, username: secret.username ?? '', password: secret.password ?? '' };
    case 'oauth2': return { kind, tokenUrl: secret.tokenUrl ?? '', clientId: secret.clientId ?? '', clientSecret: secret.clientSecret ?? '' };
    default: return { kind: 'none' };
  }
}

export function cscServiceOf(row: { service_url: string; auth_kind: RemoteAuthKind }, secret: RemoteSecret, timeoutMs?: number): CscService {
  const auth = cscAuthOf(row.auth_kind, secret);
  return { url: row.service_url, auth, ...(secret.pin ? { pin: secret.pin } : {}), ...(timeoutMs ? { timeoutMs } : {}) };
}

export interface RemoteIdentity extends SigningIdentity {
  fingerprint: string;
}

const WHERE = 'Trang cá nhân → Chứng thư số → Ký từ xa';

/** The remote identity of a leader who chose remote signing, or null. CscError (the service down, refusing)
 *  passes through: activities/signing.ts says whether it is retried. */
export async function remoteIdentityOf(db: Db, ring: KeyRing, username: string, now = new Date(), chosen?: string): Promise<RemoteIdentity | null> {
  const q = db.selectFrom('remote_signers').selectAll().where('username', '=', username);
  // A certificate chosen for this signature: the remote credential when it is that one, in use or not.
  const row = await (chosen ? q.where('cert_fingerprint', '=', chosen).where('needs_approval', '=', false) : q.where('in_use', '=', true)).executeTakeFirst();
  if (!row) return null;
  let secret: RemoteSecret = {};
  if (row.secret_wrapped && row.kek_id) {
    try {
      secret = JSON.parse(unwrapKey(ring, { kekId: row.kek_id, blob: row.secret_wrapped }, remoteSecretContext(username)).toString('utf8')) as RemoteSecret;
    } catch (e) {
      throw new CertificateUnusableError(`Không mở được thông tin đăng nhập dịch vụ ký số từ xa (${(e as Error).message}). Quản trị viên cần kiểm tra KEY_ENCRYPTION_KEY. Hồ sơ không thay đổi.`);
    }
  }
  const client = cscClient(cscServiceOf(row, secret));
  const credential = assertEnabled(await client.credentialInfo(row.credential_id));
  const fingerprint = createHash('sha256').update(credential.chainDer[0]!).digest('hex');
  // The certificate that was checked against the trust anchors on save is the one that signs.
  if (fingerprint !== row.cert_fingerprint) {
    throw new CertificateUnusableError(`Dịch vụ ký số từ xa trả về chứng thư số khác với chứng thư đã kiểm tra khi lưu cấu hình: cần lưu lại cấu hình tại ${WHERE}. Hồ sơ không thay đổi.`);
  }
  if (new Date(row.not_after) < now) {
    throw new CertificateUnusableError(`Chứng thư số của dịch vụ ký số từ xa đã hết hạn ngày ${vnDate(row.not_after)}: cần chọn khóa ký khác tại ${WHERE}. Hồ sơ không thay đổi.`);
  }
  return Object.assign(remoteIdentity(client, credential, row.common_name ?? row.subject), { fingerprint });
}

/** `base`, except for leaders who chose remote signing: they sign through their service. */
export function withRemoteSigners(base: KeyStore, db: Db, ring: KeyRing): KeyStore {
  return {
    async leaderKey(user) {
      return (await remoteIdentityOf(db, ring, user.username, new Date(), user.certificate)) ?? base.leaderKey(user);
    },
    sealKey: (agency) => base.sealKey(agency),
    caCertPem: () => base.caCertPem(),
  };
}

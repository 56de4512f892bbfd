// Sandbox-safe types every feature shares (roles, the acting user, stored files): imported by workflows/, so
// nothing from Node, pg or express here.

export type Role = 'creator' | 'reviewer' | 'signer' | 'sealer' | 'admin' | 'supervisor' | 'tester';

/** Every role, in the order screens list them. */
export const ROLES: readonly Role[] = ['creator', 'reviewer', 'signer', 'sealer', 'admin', 'supervisor', 'tester'];

/** Each role as the seed names it (the right a user holds: "Quyền …"). */
export const ROLE_LABELS: Record<Role, string> = {
  creator: 'Quyền tạo bản sao',
  reviewer: 'Quyền kiểm tra bản sao',
  signer: 'Quyền ký bản sao',
  sealer: 'Quyền đóng dấu bản sao',
  admin: 'Quản trị',
  supervisor: 'Giám sát',
  tester: 'Kiểm thử',
};

/** The acting user, always set by the server from the session (never from a form). */
export interface Actor {
  username: string;
  fullName: string;
  agencyCode: string;
  roles: Role[];
  title?: string;
  /** When signing: the title block the attestation prints (domain/signing-authority.ts), set by the web server. */
  signingTitle?: string;
}

/** A stored file, addressed by its content. */
export interface FileRef {
  sha256: string;
  size: number;
}

/** A signed file and the certificate that signed it (SHA-256 of its DER, and its holder's name). */
export interface SignedFileRef extends FileRef {
  certificate?: { fingerprint: string; holder: string };
  /** The leader-signed file: the version of the attestation template its page was drawn with (domain/templates.ts). */
  templateVersion?: number;
}

// Agencies as a tree (provinces, communes, the justice offices of districts, embassies, notary offices): their
// kinds with Vietnamese labels, and the form of their codes. Sandbox-safe: nothing from Node, no packages.

export const AGENCY_KINDS = ['province', 'commune', 'district_justice', 'embassy', 'notary', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const AGENCY_KIND_LABELS: Record<AgencyKind, string> = {
  province: 'UBND tỉnh, thành phố',
  commune: 'UBND xã, phường, đặc khu',
  district_justice: 'Phòng Tư pháp cấp huyện',
  embassy: 'Cơ quan đại diện Việt Nam ở nước ngoài',
  notary: 'Tổ chức hành nghề công chứng',
  other: 'Cơ quan, đơn vị khác',
};

/** An agency as the administration shows and records it. */
export interface Agency {
  code: string;
  name: string;
  parentCode: string | null;
  portalCode: string;
  kind: AgencyKind;
  address: string;
  active: boolean;
}

/**
 * The agency code (mã định danh, e.g. 000.03.25.H51): groups of letters and digits joined by dots, at most 30
 * characters. It is the key dossiers, register books and users refer to, so it never changes once made.
 */
export const AGENCY_CODE = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/;
export const AGENCY_CODE_MAX = 30;

/**
 * The portal code opens every dossier code of the agency: `<portal code>-<ddMMyy>-01<nnnn>` (e.g.
 * G22.29-250620-010009). So it is an upper-case letter, then upper-case letters and digits, with optional
 * dot-separated groups of them, at most 20 characters: no '-' (the separator of a dossier code), no space.
 */
export const PORTAL_CODE = /^[A-Z][A-Z0-9]*(\.[A-Z0-9]+)*$/;
export const PORTAL_CODE_MAX = 20;

export const PORTAL_CODE_MESSAGE = 'Mã trên cổng dịch vụ công phải bắt đầu bằng chữ in hoa, chỉ gồm chữ in hoa, chữ số và dấu chấm giữa các nhóm (ví dụ G22.29), tối đa 20 ký tự: mã này đứng đầu mã mọi hồ sơ của cơ quan.';
export const AGENCY_CODE_MESSAGE = 'Mã cơ quan chỉ gồm chữ, chữ số và dấu chấm giữa các nhóm (ví dụ 000.03.25.H51), tối đa 30 ký tự.';

export const isPortalCode = (s: string) => s.length <= PORTAL_CODE_MAX && PORTAL_CODE.test(s);
export const isAgencyCode = (s: string) => s.length <= AGENCY_CODE_MAX && AGENCY_CODE.test(s);

// Where the leader's signature goes on the attestation page (the page the system adds after the scan, which
// carries the attestation and the signatures). The leader drags the box on "Xử lý" or picks a preset; the position
// is kept per leader as the default and per dossier as used. Coordinates are PDF points on the A4 page, measured
// from its lower-left corner to the box's lower-left corner (PDF user space), so the API and the PDF agree.
import { DomainError } from './errors.js';

/** A4 portrait, in points. */
export const ATTESTATION_PAGE = { width: 595.28, height: 841.89 } as const;
/** The signature box: the signature image (if any) above "Ký bởi …" / "Ngày ký …". */
export const SIGNATURE_BOX = { width: 230, height: 110 } as const;
/** Room under the box for the signer's name, which moves with it. */
export const NAME_LINE_ROOM = 24;

export interface SignaturePlacement {
  x: number;
  y: number;
}

/** Right column, under the signer's title: where the signature goes unless the leader moves it. */
export const DEFAULT_PLACEMENT: SignaturePlacement = { x: 305, y: 318 };

/** The choices without JavaScript (and the keyboard's starting points), in the order the screen lists them. */
export const PLACEMENT_PRESETS = {
  default: { label: 'Bên phải, dưới chức danh (mặc định)', at: DEFAULT_PLACEMENT },
  right_lower: { label: 'Bên phải, thấp hơn', at: { x: 305, y: 200 } },
  center_bottom: { label: 'Giữa trang, cuối trang', at: { x: 182.64, y: 80 } },
  left_bottom: { label: 'Bên trái, cuối trang', at: { x: 60, y: 80 } },
} as const satisfies Record<string, { label: string; at: SignaturePlacement }>;
export type PlacementPreset = keyof typeof PLACEMENT_PRESETS;
export const isPlacementPreset = (v: unknown): v is PlacementPreset => typeof v === 'string' && Object.hasOwn(PLACEMENT_PRESETS, v);

export const PLACEMENT_LIMITS = {
  x: { min: 0, max: +(ATTESTATION_PAGE.width - SIGNATURE_BOX.width).toFixed(2) },
  y: { min: NAME_LINE_ROOM, max: +(ATTESTATION_PAGE.height - SIGNATURE_BOX.height).toFixed(2) },
} as const;

/** The attestation page's number in the e-copy: right after the scan's pages. */
export const attestationPageOf = (scanPageCount: number) => scanPageCount + 1;

/**
 * A placement the PDF can carry, rounded to 0.01 pt, or a Vietnamese refusal naming the field. `page`, when given,
 * must be the attestation page: the law puts the certifier's signature under the attestation.
 */
export function checkPlacement(p: { page?: unknown; x?: unknown; y?: unknown }, scanPageCount: number): SignaturePlacement {
  const page = attestationPageOf(scanPageCount);
  if (p.page !== undefined && p.page !== null && p.page !== page) {
    throw new DomainError('validation', `Chữ ký chỉ đặt được trên trang lời chứng (trang ${page} của bản sao điện tử).`, 'placement');
  }
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
  const x = num(p.x);
  const y = num(p.y);
  const { x: lx, y: ly } = PLACEMENT_LIMITS;
  if (!Number.isFinite(x) || !Number.isFinite(y) || x < lx.min || x > lx.max || y < ly.min || y > ly.max) {
    throw new DomainError('validation', `Vị trí chữ ký phải nằm trong trang: x từ ${lx.min} đến ${lx.max}, y từ ${ly.min} đến ${ly.max} (điểm PDF, tính từ góc dưới bên trái).`, 'placement');
  }
  return { x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 };
}

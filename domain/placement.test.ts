import { describe, expect, it } from 'vitest';
import { ATTESTATION_PAGE, checkPlacement, DEFAULT_PLACEMENT, isPlacementPreset, PLACEMENT_LIMITS, PLACEMENT_PRESETS, SIGNATURE_BOX } from './placement.js';
import { DomainError } from './errors.js';

const refusal = (f: () => unknown) => {
  try { f(); } catch (e) { return e as DomainError; }
  throw new Error('not refused');
};

describe('checkPlacement', () => {
  it('keeps the whole box and the name under it on the A4 page, rounded to 0.01 pt', () => {
    expect(checkPlacement({ x: 0, y: PLACEMENT_LIMITS.y.min }, 1)).toEqual({ x: 0, y: PLACEMENT_LIMITS.y.min });
    expect(PLACEMENT_LIMITS.x.max + SIGNATURE_BOX.width).toBeCloseTo(ATTESTATION_PAGE.width, 1);
    expect(PLACEMENT_LIMITS.y.max + SIGNATURE_BOX.height).toBeCloseTo(ATTESTATION_PAGE.height, 1);
    expect(checkPlacement({ x: '100.126', y: 200.004, page: 4 }, 3)).toEqual({ x: 100.13, y: 200 });
    for (const p of [{ x: -0.01, y: 100 }, { x: PLACEMENT_LIMITS.x.max + 0.01, y: 100 }, { x: 10, y: PLACEMENT_LIMITS.y.min - 1 }, { x: 10, y: PLACEMENT_LIMITS.y.max + 1 },
      { x: NaN, y: 100 }, { x: Infinity, y: 100 }, { x: '', y: 100 }, { x: null, y: 100 }, { x: [1], y: 100 }, {}]) {
      const e = refusal(() => checkPlacement(p, 1));
      expect([e.code, e.field], JSON.stringify(p)).toEqual(['validation', 'placement']);
      expect(e.message).toMatch(/^Vị trí chữ ký phải nằm trong trang/);
    }
  });

  it('puts the signature only on the attestation page, the one after the scan', () => {
    expect(checkPlacement({ page: 6, x: 10, y: 100 }, 5)).toEqual({ x: 10, y: 100 });
    for (const page of [5, 1, 7, '6', 0]) {
      const e = refusal(() => checkPlacement({ page, x: 10, y: 100 }, 5));
      expect(e.message, String(page)).toBe('Chữ ký chỉ đặt được trên trang lời chứng (trang 6 của bản sao điện tử).');
    }
  });

  it('every preset is a valid place; the default is the first', () => {
    expect(Object.values(PLACEMENT_PRESETS)[0].at).toEqual(DEFAULT_PLACEMENT);
    for (const [key, p] of Object.entries(PLACEMENT_PRESETS)) {
      expect(isPlacementPreset(key)).toBe(true);
      expect(checkPlacement(p.at, 1)).toEqual(p.at);
    }
    expect(isPlacementPreset('toString')).toBe(false);
    expect(isPlacementPreset('custom')).toBe(false);
  });
});

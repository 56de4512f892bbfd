import { describe, expect, it } from 'vitest';
import { idKind, idNumberError, isCccd, isCmnd, isEmail, isMst, isPhone } from './ids.js';

describe('identity numbers', () => {
  it('CMND is 9 digits', () => {
    expect(isCmnd('151804051')).toBe(true);
    expect(isCmnd('15180405')).toBe(false);
    expect(isCmnd('1518040511')).toBe(false);
    expect(isCmnd('15180405a')).toBe(false);
  });
  it('CCCD is 12 digits with a province code 001–096', () => {
    expect(isCccd('038194004677')).toBe(true);
    expect(isCccd('001094004677')).toBe(true);
    expect(isCccd('000194004677')).toBe(false);
    expect(isCccd('099194004677')).toBe(false);
    expect(isCccd('03819400467')).toBe(false);
  });
  it('MST has a check digit; branches add -NNN', () => {
    expect(isMst('0108212803')).toBe(true); // from the seed
    expect(isMst('0108212804')).toBe(false);
    expect(isMst('0100109106')).toBe(true); // Viettel
    expect(isMst('0100109106-001')).toBe(true);
    expect(isMst('0100109106-000')).toBe(false);
    expect(isMst('0100109106-01')).toBe(false);
    expect(isMst('010010910')).toBe(false);
  });
  it('classifies and explains in Vietnamese', () => {
    expect(idKind('151804051')).toBe('cmnd');
    expect(idKind('038194004677')).toBe('cccd');
    expect(idKind('0108212803')).toBe('mst');
    expect(idKind('12345')).toBeNull();
    expect(idNumberError('151804051', 'citizen')).toBeNull();
    expect(idNumberError('12345678', 'citizen')).toMatch(/CMND phải gồm 9 chữ số/);
    expect(idNumberError('099194004677', 'citizen')).toMatch(/mã tỉnh/);
    expect(idNumberError('0108212804', 'business')).toMatch(/chữ số kiểm tra/);
    expect(idNumberError('abc', 'business')).toMatch(/10 chữ số/);
  });
  it('e-mail and phone', () => {
    expect(isEmail('ntnhue@vnpt.vn')).toBe(true);
    expect(isEmail('a.b+c@sub.example.com')).toBe(true);
    expect(isEmail('ntnhue@vnpt')).toBe(false);
    expect(isEmail('<b>@x.vn')).toBe(false);
    expect(isEmail('a b@x.vn')).toBe(false);
    expect(isPhone('0942077843')).toBe(true);
    expect(isPhone('+84942077843')).toBe(true);
    expect(isPhone('0942 077 843')).toBe(true);
    expect(isPhone('02993822123')).toBe(true); // landline, Sóc Trăng
    expect(isPhone('094207784')).toBe(false);
    expect(isPhone('1942077843')).toBe(false);
    expect(isPhone('09420778ab')).toBe(false);
  });
});

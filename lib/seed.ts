// Reference data for every mode (the document-type catalogue) and demo data for demo mode only.
import bcrypt from 'bcryptjs';
import type { Db } from './db.js';
import type { Role } from '../domain/types.js';
import { vnYear } from '../domain/vn-time.js';

export const DOCUMENT_TYPES: { code: string; name: string }[] = [
  { code: 'GKS', name: 'Giấy khai sinh' },
  { code: 'CMND', name: 'Chứng minh nhân dân' },
  { code: 'CCCD', name: 'Căn cước công dân' },
  { code: 'BTN', name: 'Bằng tốt nghiệp' },
  { code: 'GDKKH', name: 'Giấy chứng nhận kết hôn' },
  { code: 'SHK', name: 'Sổ hộ khẩu' },
  { code: 'GCNQSDD', name: 'Giấy chứng nhận quyền sử dụng đất' },
  { code: 'GPLX', name: 'Giấy phép lái xe' },
  { code: 'KHAC', name: 'Giấy tờ khác' },
];

export async function seedReferenceData(db: Db): Promise<void> {
  await db.insertInto('document_types').values(DOCUMENT_TYPES.map((t, i) => ({ ...t, sort: i })))
    .onConflict((oc) => oc.column('code').doNothing()).execute();
}

export const DEMO_AGENCY = { code: '000.03.25.H51', name: 'Phòng Tư pháp - UBND Huyện Châu Thành - Tỉnh Sóc Trăng', portal_code: 'G22.29' };
export const DEMO_PASSWORD = 'demo';
/** The demo agency's daily appointment slots (two people each), as in the seed's list. */
export const DEMO_SLOTS = ['08:00', '09:00', '10:00', '13:00', '14:00', '15:00', '16:00'];

export const DEMO_USERS: { username: string; full_name: string; title: string; roles: Role[] }[] = [
  { username: 'canbo', full_name: 'Nguyễn Văn An', title: 'Cán bộ tư pháp', roles: ['creator'] },
  { username: 'lanhdao', full_name: 'Lâm Phước Thọ', title: 'Trưởng phòng Tư pháp', roles: ['signer'] },
  { username: 'vanthu', full_name: 'Trần Thị Bích', title: 'Văn thư', roles: ['sealer'] },
  { username: 'quantri', full_name: 'Quản trị hệ thống', title: 'Quản trị', roles: ['admin'] },
  { username: 'giamsat', full_name: 'Phạm Văn Giám', title: 'Giám sát', roles: ['supervisor'] },
  { username: 'kiemthu', full_name: 'Võ Thị Thử', title: 'Kiểm thử', roles: ['tester'] },
];

export async function seedDemoData(db: Db, now = new Date()): Promise<void> {
  const hash = await bcrypt.hash(DEMO_PASSWORD, 10);
  await db.insertInto('agencies').values({ ...DEMO_AGENCY, kind: 'district_justice', parent_code: null }).onConflict((oc) => oc.column('code').doNothing()).execute();
  for (const u of DEMO_USERS) {
    await db.insertInto('users').values({ username: u.username, full_name: u.full_name, title: u.title, password_hash: hash, agency_code: DEMO_AGENCY.code })
      .onConflict((oc) => oc.column('username').doNothing()).execute();
    for (const role of u.roles) {
      await db.insertInto('user_roles').values({ username: u.username, agency_code: DEMO_AGENCY.code, role }).onConflict((oc) => oc.doNothing()).execute();
    }
  }
  await db.insertInto('portal_accounts').values([
    { username: 'congdan', kind: 'citizen', full_name: 'Nguyễn Thị Thu', id_number: '151804051', email: 'nguyenthithu@example.vn', phone: '0942077843', password_hash: hash },
    { username: 'doanhnghiep', kind: 'business', full_name: 'CÔNG TY CÔNG NGHỆ THÔNG TIN VNPT - CHI NHÁNH TẬP ĐOÀN BƯU CHÍNH VIỄN THÔNG VIỆT NAM', id_number: '0108212803', email: 'vnpt-it@example.vn', phone: '02838123456', password_hash: hash },
  ]).onConflict((oc) => oc.column('username').doNothing()).execute();
  await db.insertInto('appointment_slots').values(DEMO_SLOTS.map((start_time) => ({ agency_code: DEMO_AGENCY.code, start_time, capacity: 2 })))
    .onConflict((oc) => oc.doNothing()).execute();
  const year = vnYear(now);
  await db.insertInto('register_books').values({
    agency_code: DEMO_AGENCY.code, name: `01/${year}/ĐT`, start_number: 1, current_number: 1,
    open_date: `${year}-01-01`, close_date: `${year}-12-31`, created_by: 'vanthu',
  }).onConflict((oc) => oc.columns(['agency_code', 'name']).doNothing()).execute();
}

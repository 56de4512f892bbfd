// Frozen: the attestation text and the register book's Excel layout become versioned templates (issue 10 §5), and
// each signed file records the attestation version it was made with. Version 1 of each is what the product printed
// before (copied here: a migration never reads application code).
import { Kysely, sql } from 'kysely';

const ATTESTATION_V1 = {
  header: ['{agencyName}', 'LỜI CHỨNG'],
  body: ['Chứng thực bản sao đúng với bản chính.', 'Loại giấy tờ: {documentTypeName}', 'Mã chứng thực: {dossierCode}', 'Số bản sao: {copies}'],
  dateLine: '{date}',
};
const REGISTER_BOOK_V1 = {
  columns: [
    { field: 'index', header: 'STT', width: 6 },
    { field: 'certificationNumber', header: 'Số chứng thực', width: 14 },
    { field: 'certifiedAt', header: 'Ngày chứng thực', width: 16 },
    { field: 'applicantName', header: 'Họ tên người yêu cầu', width: 30 },
    { field: 'documentTypeName', header: 'Tên bản chính giấy tờ', width: 28 },
    { field: 'signerName', header: 'Người ký chứng thực', width: 24 },
    { field: 'copies', header: 'Số bản sao', width: 10 },
    { field: 'fee', header: 'Lệ phí (đồng)', width: 14 },
    { field: 'dossierCode', header: 'Mã chứng thực', width: 24 },
  ],
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('templates')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('attestation', 'register_book')`))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('body', 'jsonb', (c) => c.notNull())
    // null: installed with the product (version 1)
    .addColumn('published_by', 'text', (c) => c.references('users.username'))
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('templates_pkey', ['kind', 'version'])
    .execute();
  await db.insertInto('templates').values([
    { kind: 'attestation', version: 1, body: JSON.stringify(ATTESTATION_V1) },
    { kind: 'register_book', version: 1, body: JSON.stringify(REGISTER_BOOK_V1) },
  ]).execute();
  // The attestation version a signed file was made with (null: a sealed file, or one signed before templates).
  await db.schema.alterTable('dossier_files').addColumn('template_version', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dossier_files').dropColumn('template_version').execute();
  await db.schema.dropTable('templates').execute();
}

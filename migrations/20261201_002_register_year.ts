// Frozen: one certification sequence per agency and year (NĐ 23/2015 Điều 13), and closing (khóa sổ).
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The year's sequence: the row every allocation of the year locks, whatever the book, so numbers run on
  // without gaps or duplicates across books; and the year-end closing with the year's count.
  await db.schema
    .createTable('register_years')
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_number', 'integer', (c) => c.notNull().defaultTo(0))
    // The book that gave last_number: the one that takes the next number.
    .addColumn('last_book_id', 'integer')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_by', 'text')
    .addColumn('certification_count', 'integer')
    .addPrimaryKeyConstraint('register_years_pk', ['agency_code', 'year'])
    .execute();

  // A closed book (khóa sổ: full, or at year end) takes no numbers; its counts are kept as they were then.
  await db.schema.alterTable('register_books')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_by', 'text')
    .addColumn('closed_count', 'integer')
    .addColumn('closed_year_count', 'integer')
    .execute();

  // The sequences so far, from the entries (by the certification date in Vietnam).
  await sql`
    insert into register_years (agency_code, year, last_number, last_book_id)
    select distinct on (b.agency_code, extract(year from e.certified_at at time zone 'Asia/Ho_Chi_Minh'))
      b.agency_code, extract(year from e.certified_at at time zone 'Asia/Ho_Chi_Minh')::int, e.number, b.id
    from register_entries e join register_books b on b.id = e.register_book_id
    order by b.agency_code, extract(year from e.certified_at at time zone 'Asia/Ho_Chi_Minh'), e.number desc, e.certified_at desc
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('register_books').dropColumn('closed_at').dropColumn('closed_by').dropColumn('closed_count').dropColumn('closed_year_count').execute();
  await db.schema.dropTable('register_years').ifExists().execute();
}

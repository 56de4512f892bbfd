// OpenAPI piece of the register-book routes (api/register/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const bookIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const pageParam = { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } };
const pageSizeParam = { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } };

export const registerOpenApiSchemas = {
  RegisterBook: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string', example: '01/2026/ĐT' }, start_number: { type: 'integer' }, current_number: { type: 'integer', description: 'next number to be given' }, agency_code: { type: 'string' }, created_by: { type: 'string' }, open_date: { type: 'string', format: 'date' }, close_date: { type: 'string', format: 'date', description: 'in the same year as open_date' }, closed_at: { type: 'string', format: 'date-time', nullable: true, description: 'khóa sổ: a closed book takes no numbers' }, closed_by: { type: 'string', nullable: true }, closed_count: { type: 'integer', nullable: true, description: "the book's certifications when closed" }, closed_year_count: { type: 'integer', nullable: true, description: "the year's certifications when the book was closed" } } },
  RegisterYear: { type: 'object', properties: { year: { type: 'integer' }, certificationCount: { type: 'integer', description: "the year's certifications: as recorded at the year-end closing, else so far" }, lastNumber: { type: 'integer', description: 'the last number given in the year (0: none)' }, closedAt: { type: 'string', format: 'date-time', nullable: true }, closedBy: { type: 'string', nullable: true } } },
  RegisterEntry: { type: 'object', properties: { id: { type: 'integer' }, number: { type: 'integer' }, certification_number: { type: 'string', example: '12/ĐT' }, dossier_code: { type: 'string' }, applicant_name: { type: 'string' }, document_type_name: { type: 'string' }, signer_name: { type: 'string' }, copies: { type: 'integer' }, fee: { type: 'integer', description: 'VND' }, certified_at: { type: 'string', format: 'date-time' } } },
};

/** The paths, with the document's common error responses. */
export const registerOpenApiPaths = (errors: OpenApiErrors) => ({
  '/register-books': {
    get: {
      summary: "The agency's register books (sealer), newest open date first",
      parameters: [
        { name: 'year', in: 'query', schema: { type: 'string', pattern: '^\\d{4}$' }, description: 'Year of the open date' },
        { name: 'name', in: 'query', schema: { type: 'string' }, description: 'Part of the name, case-insensitive' },
      ],
      responses: { 200: { description: 'Every matching book (an agency keeps a few a year)', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/RegisterBook' } } } } }, ...errors },
    },
    post: {
      summary: 'Create a register book (sealer); the name gets the /ĐT suffix',
      description: 'NĐ 23/2015 Điều 13: numbers run in one continuous sequence per agency and year, whatever the books, and start again at 1 each year. openDate and closeDate are in one year. startNumber is digits only; left out or blank it is the next number of the open date\'s year (the last number given that year + 1, or 1). Refused: a startNumber that is not that number once the year has numbers (400, field startNumber; the year\'s first book may start higher, continuing a numbering begun outside the system); a second open book of the year: close the open one first (409); a closed year (409).',
      requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['name', 'openDate', 'closeDate'], properties: { name: { type: 'string' }, startNumber: { type: 'integer', minimum: 1 }, openDate: { type: 'string', format: 'date' }, closeDate: { type: 'string', format: 'date' } } } } } },
      responses: { 201: { description: 'The book', content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterBook' } } } }, ...errors },
    },
  },
  '/register-books/{id}': {
    get: {
      summary: 'A book with its entries in number order, paged (sealer)', parameters: [bookIdParam, pageParam, pageSizeParam],
      responses: { 200: { description: 'RegisterBook + entries', content: { 'application/json': { schema: { allOf: [{ $ref: '#/components/schemas/RegisterBook' }, { type: 'object', properties: { entries: { type: 'object', properties: { total: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' }, items: { type: 'array', items: { $ref: '#/components/schemas/RegisterEntry' } } } } } }] } } } }, ...errors },
    },
    patch: {
      summary: 'Edit a book (sealer): name, dates; the start number only while the book is empty',
      description: 'Fields left out keep their value. Refused (nothing changes): any edit of a closed book (409); a start number change once numbers were given (409); a start number of an empty book that does not continue the year\'s sequence (400); dates outside one year, or that would leave out entries already certified (400); moving an empty book into a year that has an open book or is closed (409).',
      parameters: [bookIdParam],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' }, startNumber: { type: 'integer', minimum: 1 }, openDate: { type: 'string', format: 'date' }, closeDate: { type: 'string', format: 'date' } } } } } },
      responses: { 200: { description: 'The book after the edit', content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterBook' } } } }, ...errors },
    },
    delete: { summary: 'Delete an empty book (sealer); a book with entries is refused with 409', parameters: [bookIdParam], responses: { 204: { description: 'Deleted' }, ...errors } },
  },
  '/register-books/years': {
    get: { summary: "The agency's years (sealer), newest first: the year's certification count, last number and year-end closing", responses: { 200: { description: 'RegisterYear[]', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/RegisterYear' } } } } }, ...errors } },
  },
  '/register-books/years/{year}/close': {
    post: {
      summary: 'Year-end closing (khóa sổ) of a year (sealer): closes every open book of the year and records the year\'s certification count',
      description: 'Allowed from 31 December of that year (Vietnam time) on (400 before). Afterwards the year takes no numbers and no new books (409 for a second closing); the next year is a sequence of its own, starting at 1.',
      parameters: [{ name: 'year', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{4}$' } }],
      responses: { 200: { description: 'The closed year and the books it closed', content: { 'application/json': { schema: { allOf: [{ $ref: '#/components/schemas/RegisterYear' }, { type: 'object', properties: { books: { type: 'array', items: { $ref: '#/components/schemas/RegisterBook' } } } }] } } } }, ...errors },
    },
  },
  '/register-books/{id}/close': {
    post: {
      summary: 'Close (khóa sổ) one book, e.g. when it is full (sealer): it takes no numbers from then on; its count and the year\'s count so far are recorded',
      description: 'A new book of the year can then be opened; it continues the year\'s last number. Closing a closed book again: 409.',
      parameters: [bookIdParam],
      responses: { 200: { description: 'The closed book', content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterBook' } } } }, ...errors },
    },
  },
  '/register-books/{id}/export.xlsx': { get: {
    summary: "Excel export of a register book (sealer): the register layout template's columns, or the seed's short report", parameters: [bookIdParam,
      { name: 'layout', in: 'query', schema: { type: 'string', enum: ['register', 'report'], default: 'register' }, description: "register: every column of the register layout template; report: the seed's \"Xuất báo cáo\" sheet (STT, applicant, document, number, date)" }],
    responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } } },
});

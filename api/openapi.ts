// The OpenAPI document of /api/v1, served at /api/v1/openapi.json.
import { verifyOpenApiPaths, verifyOpenApiSchemas } from './verification/openapi.js';
import { appointmentOpenApiPaths, appointmentOpenApiSchemas } from './appointments/openapi.js';
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  400: { description: 'Bad input', content: { 'application/json': { schema: error } } },
  401: { description: 'Missing or bad token', content: { 'application/json': { schema: error } } },
  403: { description: 'Wrong role or agency', content: { 'application/json': { schema: error } } },
  404: { description: 'Not found', content: { 'application/json': { schema: error } } },
  409: { description: 'Wrong state, or busy', content: { 'application/json': { schema: error } } },
  503: { description: 'Temporarily unavailable (the worker is restarting, the workflow task is failing): try again after Retry-After seconds', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/json': { schema: error } } },
};
const dossier = { 200: { description: 'The dossier after the action', content: { 'application/json': { schema: { $ref: '#/components/schemas/Dossier' } } } }, ...errors };
// An action answers within a few seconds: the dossier after it, or 202 while it is still running (signing, sealing).
const action = { ...dossier, 202: { description: 'Accepted and still running: {code, status, processing: true}; GET /dossiers/{code} follows it, and the same Idempotency-Key finds it again' } };
const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: 'G22.29-271126-010001' };
const idem = { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Same key, same result: a repeated request acts once.' };

const imageRecord = { $ref: '#/components/schemas/Image' };
function imagePaths(kind: 'seal' | 'signature', what: string, who: string) {
  return {
    get: {
      summary: `${what}: the current PNG`,
      responses: { 200: { description: 'image/png', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } }, 404: { description: `No ${kind} image uploaded yet`, content: { 'application/json': { schema: error } } }, 401: errors[401] },
    },
    post: {
      summary: `Upload or replace the ${kind} image (${who})`,
      description: 'Checked by content: PNG signature, IHDR first with CRC, every chunk CRC, IEND last, image data complete; each side 50–2000 px; at most 2 MB (refused while streaming with 413). A refused upload changes nothing.',
      requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', required: ['image'], properties: { image: { type: 'string', format: 'binary', description: 'PNG, at most 2 MB' } } } } } },
      responses: { 200: { description: 'The stored image', content: { 'application/json': { schema: imageRecord } } }, 413: { description: 'Image over 2 MB', content: { 'application/json': { schema: error } } }, ...errors },
    },
  };
}

const bookIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const pageParam = { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } };
const pageSizeParam = { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } };
const feeDateParam = { name: 'date', in: 'query', schema: { type: 'string', format: 'date' }, description: 'yyyy-MM-dd (or dd/MM/yyyy); default today in Asia/Ho_Chi_Minh' };

export const openApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Chứng thực bản sao điện tử — API', version: '1.0.0', description: 'Dossier lifecycle for machines. Errors are {error, message} with a Vietnamese message.' },
  servers: [{ url: '/api/v1' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      ...verifyOpenApiSchemas, // public verification (api/verification/openapi.ts)
      ...appointmentOpenApiSchemas, // appointments (api/appointments/openapi.ts)
      Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string', enum: ['validation', 'bad_file', 'unauthenticated', 'csrf', 'forbidden', 'wrong_agency', 'not_found', 'wrong_state', 'busy', 'conflict', 'too_large', 'throttled'] }, message: { type: 'string' }, field: { type: 'string' } } },
      Status: { type: 'string', enum: ['awaiting_signature', 'returned', 'awaiting_seal', 'completed', 'cancelled'] },
      Applicant: { type: 'object', properties: { kind: { type: 'string', enum: ['citizen', 'business', 'no_account'] }, fullName: { type: 'string' }, idNumber: { type: 'string', nullable: true }, email: { type: 'string', nullable: true }, phone: { type: 'string', nullable: true }, accountUsername: { type: 'string', nullable: true } } },
      Dossier: {
        type: 'object',
        properties: {
          code: { type: 'string' }, status: { $ref: '#/components/schemas/Status' }, agencyCode: { type: 'string' }, agencyName: { type: 'string' },
          applicant: { $ref: '#/components/schemas/Applicant' }, documentType: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
          copies: { type: 'integer' }, pageCount: { type: 'integer' }, fee: { type: 'integer', description: 'VND, TT 226/2016/TT-BTC' },
          certificationNumber: { type: 'string', nullable: true, example: '12/ĐT' }, registerBook: { type: 'object', nullable: true },
          returnReason: { type: 'string', nullable: true }, history: { type: 'array', items: { type: 'object' } },
          processing: { type: 'boolean', description: 'Present (true) while an accepted action is still running' },
          stale: { type: 'boolean', description: "Present (true) when the workflow could not be asked: the read model's last recorded state, possibly not current" },
        },
      },
      Image: { type: 'object', properties: { kind: { type: 'string', enum: ['seal', 'signature'] }, owner: { type: 'string', description: 'agency code (seal) or username (signature)' }, sha256: { type: 'string' }, size: { type: 'integer' }, width: { type: 'integer' }, height: { type: 'integer' }, uploadedBy: { type: 'string' }, uploadedAt: { type: 'string', format: 'date-time' } } },
      RegisterBook: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string', example: '01/2026/ĐT' }, start_number: { type: 'integer' }, current_number: { type: 'integer', description: 'next number to be given' }, agency_code: { type: 'string' }, created_by: { type: 'string' }, open_date: { type: 'string', format: 'date' }, close_date: { type: 'string', format: 'date', description: 'in the same year as open_date' }, closed_at: { type: 'string', format: 'date-time', nullable: true, description: 'khóa sổ: a closed book takes no numbers' }, closed_by: { type: 'string', nullable: true }, closed_count: { type: 'integer', nullable: true, description: "the book's certifications when closed" }, closed_year_count: { type: 'integer', nullable: true, description: "the year's certifications when the book was closed" } } },
      RegisterYear: { type: 'object', properties: { year: { type: 'integer' }, certificationCount: { type: 'integer', description: "the year's certifications: as recorded at the year-end closing, else so far" }, lastNumber: { type: 'integer', description: 'the last number given in the year (0: none)' }, closedAt: { type: 'string', format: 'date-time', nullable: true }, closedBy: { type: 'string', nullable: true } } },
      RegisterEntry: { type: 'object', properties: { id: { type: 'integer' }, number: { type: 'integer' }, certification_number: { type: 'string', example: '12/ĐT' }, dossier_code: { type: 'string' }, applicant_name: { type: 'string' }, document_type_name: { type: 'string' }, signer_name: { type: 'string' }, copies: { type: 'integer' }, fee: { type: 'integer', description: 'VND' }, certified_at: { type: 'string', format: 'date-time' } } },
      FeeReport: {
        type: 'object',
        properties: {
          date: { type: 'string', format: 'date' }, agency: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
          count: { type: 'integer' }, copies: { type: 'integer' }, total: { type: 'integer', description: 'VND' },
          items: { type: 'array', items: { type: 'object', properties: { certificationNumber: { type: 'string' }, dossierCode: { type: 'string' }, applicantName: { type: 'string' }, documentType: { type: 'string' }, pageCount: { type: 'integer', nullable: true }, copies: { type: 'integer' }, fee: { type: 'integer' }, certifiedAt: { type: 'string', format: 'date-time' }, registerBook: { type: 'string' } } } },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    ...verifyOpenApiPaths, // public verification: GET /verify/{dossierCode}, POST /verify (api/verification/openapi.ts)
    ...appointmentOpenApiPaths, // GET/POST /appointments, GET /appointments/slots, /appointments/{code}[/reschedule|/cancel] (api/appointments/openapi.ts)
    '/auth/token': { post: { security: [], summary: 'Log in', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } } } }, responses: { 200: { description: '{token}' }, 401: errors[401], 429: { description: 'Too many failed logins' } } } },
    '/document-types': { get: { summary: 'Document type catalogue', responses: { 200: { description: '[{code, name}]' } } } },
    '/dossiers': {
      post: {
        summary: 'Create a dossier and submit it for signature (creator)', parameters: [idem],
        requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', required: ['scan', 'applicantKind', 'documentType'], properties: {
          scan: { type: 'string', format: 'binary', description: 'PDF, at most 30 MB' }, applicantKind: { type: 'string', enum: ['citizen', 'business', 'no_account'] },
          idNumber: { type: 'string', description: 'CMND (9), CCCD (12) or MST (10 or 10-3)' }, fullName: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' },
          documentType: { type: 'string' }, copies: { type: 'integer', minimum: 1, maximum: 100 }, appointmentCode: { type: 'string' } } } } } },
        responses: { 201: { description: 'Created and submitted', content: { 'application/json': { schema: { $ref: '#/components/schemas/Dossier' } } } }, 413: { description: 'Scan over 30 MB' }, ...errors },
      },
      get: {
        summary: "List the agency's dossiers",
        parameters: ['status', 'q', 'code', 'applicantKind', 'from', 'to', 'page', 'pageSize'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
        responses: { 200: { description: '{total, page, pageSize, items}' }, ...errors },
      },
    },
    '/dossiers/{code}': { get: { parameters: [code], summary: 'State, applicant, document type, certification number, history', responses: dossier } },
    '/dossiers/{code}/pdf': { get: { parameters: [code, { name: 'which', in: 'query', schema: { type: 'string', enum: ['scan'] } }], summary: 'The current PDF (scan, signed, or sealed e-copy)', responses: { 200: { description: 'application/pdf' }, ...errors } } },
    '/dossiers/{code}/return': { post: { parameters: [code, idem], summary: 'Return to the creator with a reason (signer)', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } }, responses: action } },
    '/dossiers/{code}/resubmit': { post: { parameters: [code, idem], summary: 'Resubmit a returned dossier, optionally with a new scan (creator)', requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', properties: { scan: { type: 'string', format: 'binary' } } } }, 'application/json': { schema: { type: 'object' } } } }, responses: action } },
    '/dossiers/{code}/cancel': { post: { parameters: [code, idem], summary: 'Cancel a returned dossier with a reason (creator)', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } }, responses: action } },
    '/dossiers/{code}/sign': { post: { parameters: [code, idem], summary: "Leader's digital signature on the attestation page (signer)", responses: action } },
    '/dossiers/{code}/seal': { post: { parameters: [code, idem], summary: 'Allocate the year\'s next certification number and apply the agency seal (sealer); registerBookId is the book that takes the year\'s next number (another is refused with 400)', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['registerBookId'], properties: { registerBookId: { type: 'integer' } } } } } }, responses: action } },
    '/dossiers/{code}/deliver': { post: { parameters: [code, idem], summary: 'Complete and send the e-copy by e-mail and to the portal inbox (sealer)', responses: action } },
    '/images/seal': imagePaths('seal', "The agency's seal image (PNG) drawn in the seal's visible appearance", 'sealer of the agency'),
    '/images/signature': imagePaths('signature', "The caller's own signature image (PNG) drawn in the leader's visible signature", 'the token\'s own user, with the signer role; a `username` field or query naming someone else is refused with 403'),
    '/dossiers/{code}/resend': { post: { parameters: [code, idem], summary: 'Re-send the e-copy by e-mail, optionally to a corrected address (sealer)', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } } } }, responses: action } },
    '/dossiers/{code}/deliveries': { get: { parameters: [code], summary: 'Every delivery attempt of the dossier (channel, address, status, error, tries)', responses: { 200: { description: 'DeliveryAttempt[]' }, ...errors } } },
    '/deliveries': { get: { summary: "The agency's e-mail deliveries with status (sealer)", parameters: ['status', 'code', 'q', 'page', 'pageSize'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })), responses: { 200: { description: '{total, page, pageSize, items}' }, ...errors } } },
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
    '/register-books/{id}/export.xlsx': { get: { summary: "Excel export of a register book in the seed's layout (sealer)", parameters: [bookIdParam], responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } } },
    '/reports/fees': {
      get: {
        summary: "Daily fee report of the caller's agency (creator, sealer, supervisor): the dossiers certified that day with their fee (TT 226/2016/TT-BTC) and the total",
        parameters: [feeDateParam],
        responses: { 200: { description: 'The report', content: { 'application/json': { schema: { $ref: '#/components/schemas/FeeReport' } } } }, ...errors },
      },
    },
    '/reports/fees.xlsx': { get: { summary: 'The daily fee report as Excel: header block (agency, date, number of dossiers, total), then the rows and a total row', parameters: [feeDateParam], responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } } },
  },
};

// OpenAPI piece of the catalogue routes (api/catalogues/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const codeParam = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: '000.03.25.H51' };
const dayParam = { name: 'day', in: 'path', required: true, schema: { type: 'string', format: 'date' }, example: '2026-12-24' };
const yearParam = { name: 'year', in: 'query', schema: { type: 'integer', minimum: 2000, maximum: 2100 }, description: 'Default: this year (Vietnam)' };
const day = { type: 'string', description: 'yyyy-MM-dd (dd/mm/yyyy is accepted too)', example: '2026-12-24' };
const SCOPE = 'Admin only (403 otherwise); an agency outside the admin\'s scope (its agency and every agency under it) is 404.';
const SYSTEM = 'Listed by every admin; changed only by a system administrator, an admin of a root agency (403 with a Vietnamese message otherwise).';
const AUDITED = 'Every accepted change writes one audit event (GET /admin/audit) in its transaction; a refusal changes and records nothing; a change that changes nothing answers 200 and records nothing.';

export const catalogueOpenApiSchemas = {
  DocumentType: {
    type: 'object', required: ['code', 'name', 'sort', 'active'],
    properties: {
      code: { type: 'string', example: 'GKS' }, name: { type: 'string', example: 'Giấy khai sinh' },
      sort: { type: 'integer', description: 'Order in which forms offer it' },
      active: { type: 'boolean', description: 'false: no longer offered for new dossiers and bookings (refused with 400); dossiers that have it keep its name' },
    },
  },
  Slot: { type: 'object', required: ['startTime', 'capacity'], properties: { startTime: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', example: '08:00' }, capacity: { type: 'integer', minimum: 1, maximum: 500 } } },
  AgencyDay: {
    type: 'object', required: ['day', 'working', 'note'],
    properties: { day: { type: 'string', format: 'date' }, working: { type: 'boolean', description: 'false: a day off; true: a make-up working day' }, note: { type: 'string' } },
  },
  PublicHoliday: {
    type: 'object', required: ['day', 'name', 'working'],
    properties: { day: { type: 'string', format: 'date' }, name: { type: 'string' }, working: { type: 'boolean', description: 'true: a make-up working day set by the Government' } },
  },
};

/** The paths, with the document's common error responses. */
export const catalogueOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/document-types': {
    get: { summary: 'Every document type, deactivated ones included (admin)', description: SYSTEM, responses: { 200: { description: 'By sort, then name', ...json({ type: 'array', items: ref('DocumentType') }) }, ...errors } },
    post: {
      summary: 'Add a document type (system administrator)',
      description: `${SYSTEM} The code is letters, digits, _ and - (at most 30), unique whatever its case (409, field code). ${AUDITED}`,
      requestBody: json({ type: 'object', required: ['code', 'name'], properties: { code: { type: 'string', maxLength: 30, pattern: '^[A-Za-z0-9_-]+$' }, name: { type: 'string', maxLength: 200 } } }),
      responses: { 201: { description: 'The type (active, last in order)', ...json(ref('DocumentType')) }, ...errors },
    },
  },
  '/admin/document-types/{code}': {
    patch: {
      summary: 'Rename, reorder, deactivate or reactivate a document type (system administrator)',
      description: `${SYSTEM} There is no delete: dossiers and appointments keep a type's code and name. A deactivated type is no longer in GET /document-types, the new dossier form or the booking form, and POST /dossiers and POST /appointments refuse it (400, field documentType). ${AUDITED}`,
      parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: 'GKS' }],
      requestBody: json({ type: 'object', properties: { name: { type: 'string', maxLength: 200 }, active: { type: 'boolean' }, sort: { type: 'integer', minimum: 0, maximum: 10000 } } }),
      responses: { 200: { description: 'The type after the change', ...json(ref('DocumentType')) }, ...errors },
    },
  },
  '/admin/agencies/{code}/slots': {
    get: { summary: "The agency's daily appointment slots (admin)", description: SCOPE, parameters: [codeParam], responses: { 200: { description: 'By start time', ...json({ type: 'array', items: ref('Slot') }) }, ...errors } },
    put: {
      summary: "Replace the agency's slot list (admin)",
      description: `${SCOPE} Start times are HH:MM, each once (400); capacity 1–500 people; at most 48 slots. A slot booked on a day from today on cannot be removed, nor its capacity lowered below the places taken that day (409, the message lists the days). Booking (GET /appointments/slots, POST /appointments) follows the new list at once. ${AUDITED}`,
      parameters: [codeParam],
      requestBody: json({ type: 'array', maxItems: 48, items: ref('Slot') }),
      responses: { 200: { description: 'The slot list now, by start time', ...json({ type: 'array', items: ref('Slot') }) }, ...errors },
    },
  },
  '/admin/agencies/{code}/days': {
    get: { summary: "The agency's own days off and make-up working days of a year (admin)", description: `${SCOPE} They win over the national public holidays for this agency.`, parameters: [codeParam, yearParam], responses: { 200: { description: 'By day', ...json({ type: 'array', items: ref('AgencyDay') }) }, ...errors } },
    post: {
      summary: "Add or change one of the agency's days (admin)",
      description: `${SCOPE} The one working-day calendar follows at once: a day off is no longer bookable, and a new dossier's due date (NĐ 23/2015 Điều 7) passes over it. A day off from today on that already has bookings is refused (409, field day, the message names the slots): move or cancel them first. ${AUDITED}`,
      parameters: [codeParam],
      requestBody: json({ type: 'object', required: ['day', 'working'], properties: { day, working: { type: 'boolean' }, note: { type: 'string', maxLength: 200 } } }),
      responses: { 201: { description: 'Added', ...json(ref('AgencyDay')) }, 200: { description: 'Changed (or unchanged)', ...json(ref('AgencyDay')) }, ...errors },
    },
  },
  '/admin/agencies/{code}/days/{day}': {
    delete: { summary: "Remove one of the agency's days (admin); the national calendar applies to it again", description: `${SCOPE} A day not listed is 404. ${AUDITED}`, parameters: [codeParam, dayParam], responses: { 204: { description: 'Removed' }, ...errors } },
  },
  '/admin/public-holidays': {
    get: { summary: 'The national public holidays and make-up working days of a year (admin)', description: SYSTEM, parameters: [yearParam], responses: { 200: { description: 'By day', ...json({ type: 'array', items: ref('PublicHoliday') }) }, ...errors } },
    post: {
      summary: 'Add or change a national public holiday or make-up working day (system administrator)',
      description: `${SYSTEM} ${AUDITED}`,
      requestBody: json({ type: 'object', required: ['day', 'name'], properties: { day, name: { type: 'string', maxLength: 200 }, working: { type: 'boolean', default: false } } }),
      responses: { 201: { description: 'Added', ...json(ref('PublicHoliday')) }, 200: { description: 'Changed (or unchanged)', ...json(ref('PublicHoliday')) }, ...errors },
    },
  },
  '/admin/public-holidays/{day}': {
    delete: { summary: 'Remove a national public holiday (system administrator)', description: `${SYSTEM} A day not listed is 404. ${AUDITED}`, parameters: [dayParam], responses: { 204: { description: 'Removed' }, ...errors } },
  },
});

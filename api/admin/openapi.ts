// OpenAPI piece of the administration routes (api/admin/json.ts), spread into api/openapi.ts.
import { AGENCY_KINDS } from '../../domain/agency.js';
import { ADMIN_ACTION_LABELS, ADMIN_ENTITIES } from '../../domain/admin-audit.js';
import type { OpenApiErrors } from '../openapi.js';

const codeParam = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: '000.03.25.H51' };
const SCOPE = 'Admin only (403 otherwise). Scope: an admin role on an agency covers that agency and every agency under it, at any depth; '
  + 'the administrator of a root agency (no parent) is the system administrator of that whole tree. Root agencies are made at installation, '
  + 'never through this API: every agency is created or moved under an agency of the scope. An agency outside the scope is 404, for reads and writes.';
const auditFilters = [
  { name: 'entity', in: 'query', schema: { type: 'string', enum: ADMIN_ENTITIES } },
  { name: 'entityId', in: 'query', schema: { type: 'string' }, description: 'e.g. an agency code' },
];

export const adminOpenApiSchemas = {
  AgencyKind: { type: 'string', enum: AGENCY_KINDS },
  Agency: {
    type: 'object', required: ['code', 'name', 'parentCode', 'portalCode', 'kind', 'address', 'active'],
    properties: {
      code: { type: 'string', example: '000.03.25.H51', description: 'Never changes: dossiers, register books and accounts refer to it' },
      name: { type: 'string' }, parentCode: { type: 'string', nullable: true, description: 'null: a root agency' },
      portalCode: { type: 'string', example: 'G22.29', description: 'Opens every dossier code of the agency: <portalCode>-<ddMMyy>-01<nnnn>' },
      kind: { $ref: '#/components/schemas/AgencyKind' }, address: { type: 'string' }, active: { type: 'boolean' },
    },
  },
  AdminEvent: {
    type: 'object',
    properties: {
      id: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, actorKind: { type: 'string', enum: ['staff', 'citizen'] }, actorName: { type: 'string', nullable: true }, actorText: { type: 'string' },
      agencyCode: { type: 'string', description: 'The agency the changed thing belongs to (an agency: itself)' }, agencyName: { type: 'string' },
      entity: { type: 'string', enum: ADMIN_ENTITIES }, entityId: { type: 'string' },
      action: { type: 'string', enum: Object.keys(ADMIN_ACTION_LABELS) },
      before: { type: 'object', nullable: true, description: 'The entity before the change (null when created)' },
      after: { type: 'object', nullable: true, description: 'The entity after the change' },
    },
  },
};

const agencyFields = {
  name: { type: 'string', maxLength: 200 }, portalCode: { type: 'string', maxLength: 20, pattern: '^[A-Z][A-Z0-9]*(\\.[A-Z0-9]+)*$' },
  kind: { $ref: '#/components/schemas/AgencyKind' }, address: { type: 'string', maxLength: 300 },
};
const agency = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Agency' } } } };

/** The paths, with the document's common error responses. */
export const adminOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/agencies': {
    get: {
      summary: "The agencies of the admin's scope, in tree order",
      description: `${SCOPE} Each agency comes after its parent, siblings by name; depth is 0 for the top of the scope.`,
      responses: { 200: { description: 'Agency + depth, in tree order', content: { 'application/json': { schema: { type: 'array', items: { allOf: [{ $ref: '#/components/schemas/Agency' }, { type: 'object', properties: { depth: { type: 'integer' } } }] } } } } }, ...errors },
    },
    post: {
      summary: 'Create an agency under an agency of the scope (admin)',
      description: `${SCOPE} Refused, changing and recording nothing: a parent outside the scope (404, field parentCode) or inactive (409); a code already used (409, field code); a portal code not in the dossier-code form, e.g. G22.29 (400, field portalCode) or used by another agency or opening another agency's dossier codes (409). An accepted creation is recorded in the audit (GET /admin/audit) in the same transaction.`,
      requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['code', 'name', 'parentCode', 'portalCode'], properties: { code: { type: 'string', maxLength: 30, pattern: '^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)*$' }, parentCode: { type: 'string' }, ...agencyFields } } } } },
      responses: { 201: { description: 'The agency (active)', ...agency }, ...errors },
    },
  },
  '/admin/agencies/{code}': {
    get: { summary: 'One agency of the scope (admin); 404 outside it', description: SCOPE, parameters: [codeParam], responses: { 200: { description: 'The agency', ...agency }, ...errors } },
    patch: {
      summary: 'Edit, rename, move (parentCode) or (de)activate an agency of the scope (admin)',
      description: `${SCOPE} A field left out keeps its value; the code never changes (a different code is 400), so its dossiers and register books stay with it. Refused, changing and recording nothing: a move under the agency itself or one of its own agencies (a cycle, 400, field parentCode), under an agency outside the scope (404) or an inactive one (409), or to no parent (400); a portal code as for POST; deactivating (active: false) an agency that still has dossiers in progress, active accounts or active agencies under it (409, the message says which); reactivating under an inactive parent (409). A change that changes nothing answers 200 and records nothing; every other accepted change writes one audit event with before and after.`,
      parameters: [codeParam],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { parentCode: { type: 'string' }, active: { type: 'boolean' }, ...agencyFields } } } } },
      responses: { 200: { description: 'The agency after the edit', ...agency }, ...errors },
    },
  },
  '/admin/audit': {
    get: {
      summary: 'The audit of administrative changes in the scope (admin), newest first, paged',
      description: `${SCOPE} Events are those about things that are in the scope now (an agency moved out of it takes its events along).`,
      parameters: [...auditFilters, { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } }, { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } }],
      responses: { 200: { description: 'A page of events', content: { 'application/json': { schema: { type: 'object', properties: { total: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' }, items: { type: 'array', items: { $ref: '#/components/schemas/AdminEvent' } } } } } } }, ...errors },
    },
  },
  '/admin/audit.xlsx': {
    get: { summary: 'Excel export of the audit list (admin), same filters, newest first, at most 10,000 events', parameters: auditFilters, responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } },
  },
});

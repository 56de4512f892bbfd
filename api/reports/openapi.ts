// OpenAPI piece of the daily fee report's routes (api/reports/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const feeDateParam = { name: 'date', in: 'query', schema: { type: 'string', format: 'date' }, description: 'yyyy-MM-dd (or dd/MM/yyyy); default today in Asia/Ho_Chi_Minh' };

const overviewParams = [
  { name: 'period', in: 'query', schema: { type: 'string', enum: ['today', 'week', 'month', 'custom'] }, description: 'default today, or custom when from/to are given' },
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date' }, description: 'first day (yyyy-MM-dd or dd/MM/yyyy, Vietnam time)' },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date' }, description: 'last day, at most 366 days after from' },
  { name: 'agencyCode', in: 'query', schema: { type: 'string' }, description: "one agency of the caller's subtree; outside it: 404" },
];

export const reportOpenApiSchemas = {
  FeeReport: {
    type: 'object',
    properties: {
      date: { type: 'string', format: 'date' }, agency: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
      count: { type: 'integer' }, copies: { type: 'integer' }, total: { type: 'integer', description: 'VND' },
      items: { type: 'array', items: { type: 'object', properties: { certificationNumber: { type: 'string' }, dossierCode: { type: 'string' }, applicantName: { type: 'string' }, documentType: { type: 'string' }, pageCount: { type: 'integer', nullable: true }, copies: { type: 'integer' }, fee: { type: 'integer' }, certifiedAt: { type: 'string', format: 'date-time' }, registerBook: { type: 'string' } } } },
    },
  },
};

/** The paths, with the document's common error responses. */
export const reportOpenApiPaths = (errors: OpenApiErrors) => ({
  '/reports/fees': {
    get: {
      summary: "Daily fee report of the caller's agency (creator, sealer, supervisor): the dossiers certified that day with their fee (TT 226/2016/TT-BTC) and the total",
      parameters: [feeDateParam],
      responses: { 200: { description: 'The report', content: { 'application/json': { schema: { $ref: '#/components/schemas/FeeReport' } } } }, ...errors },
    },
  },
  '/reports/overview': {
    get: {
      summary: "Tổng quan (supervisor, admin): the dossiers received in the period over the caller's agency subtree or one agency of it — in progress by step, completed on time or late, returned, cancelled, overdue now with whose step; step median and p90 seconds; byAgency, byDay",
      parameters: overviewParams,
      responses: { 200: { description: '{period, from, to, today, agency, scope, received, inProgress, completed, returned, cancelled, onTime, late, overdueNow, byStatus, steps, byAgency, byDay, overdue}', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
    },
  },
  '/audit': {
    get: {
      summary: "Audit export (supervisor, admin): every dossier event (typed audit trail, in words) and administration change of the period over the caller's agency subtree or one agency of it, oldest first; at most 50,000 (more: 400, a shorter period)",
      parameters: [...overviewParams, { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv', 'xlsx'] }, description: 'default json; csv is UTF-8 with a BOM' }],
      responses: { 200: { description: '{from, to, scope, agency, total, items: [{at, agencyCode, source: dossier|admin, subject, actor, actorKind: staff|citizen, actorName, type, what}]}, or the file', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': {}, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {} } }, ...errors },
    },
  },
  '/reports/overview.xlsx': { get: { summary: 'Tổng quan as Excel: sheets Tổng quan, Theo đơn vị, Theo ngày, Thời gian xử lý, Quá hạn', parameters: overviewParams, responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } } },
  '/reports/fees.xlsx': { get: { summary: 'The daily fee report as Excel: header block (agency, date, number of dossiers, total), then the rows and a total row', parameters: [feeDateParam], responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } } },
});

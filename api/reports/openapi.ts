// OpenAPI piece of the daily fee report's routes (api/reports/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const feeDateParam = { name: 'date', in: 'query', schema: { type: 'string', format: 'date' }, description: 'yyyy-MM-dd (or dd/MM/yyyy); default today in Asia/Ho_Chi_Minh' };

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
  '/reports/fees.xlsx': { get: { summary: 'The daily fee report as Excel: header block (agency, date, number of dossiers, total), then the rows and a total row', parameters: [feeDateParam], responses: { 200: { description: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, ...errors } } },
});

// OpenAPI piece of the delivery routes GET /deliveries, GET /dossiers/{code}/deliveries (api/deliveries/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: 'G22.29-271126-010001' };

/** The paths, with the document's common error responses. */
export const deliveryOpenApiPaths = (errors: OpenApiErrors) => ({
  '/dossiers/{code}/deliveries': { get: { parameters: [code], summary: 'Every delivery attempt of the dossier (channel, address, status, error, tries)', responses: { 200: { description: 'DeliveryAttempt[]' }, ...errors } } },
  '/deliveries': { get: { summary: "The agency's e-mail deliveries with status (sealer)", parameters: ['status', 'code', 'q', 'page', 'pageSize'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })), responses: { 200: { description: '{total, page, pageSize, items}' }, ...errors } } },
});

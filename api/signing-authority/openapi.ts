// OpenAPI piece of who signs for an agency (api/signing-authority/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

export const signingAuthorityOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/agencies/{code}/signing-authority': {
    get: { summary: "Who signs for the agency: its head, the collective body (TM.), its signers, the planned delegations (admin of its scope)", parameters: [code], responses: { 200: json('{agencyCode, headUsername, collective, signers, delegations}'), ...errors } },
    put: {
      summary: 'Set the head (one of its signers, or null) and the collective body; the attestation then prints "KT. <head title>" / "TL." for the others, "TM. <body>" above',
      parameters: [code],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { headUsername: { type: ['string', 'null'] }, collective: { type: ['string', 'null'], maxLength: 120 } } } } } },
      responses: { 200: json('The authority as GET answers it'), ...errors },
    },
  },
  '/admin/agencies/{code}/delegations': { post: {
    summary: 'Plan a delegation: a signer (not the head) signs for the head from fromDay to toDay (KT or TL)', parameters: [code],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['deputyUsername', 'fromDay', 'toDay'], properties: {
      deputyUsername: { type: 'string' }, kind: { type: 'string', enum: ['KT', 'TL'], default: 'KT' }, fromDay: { type: 'string', format: 'date' }, toDay: { type: 'string', format: 'date' }, note: { type: 'string', maxLength: 200 },
    } } } } },
    responses: { 201: json('The delegation'), ...errors },
  } },
  '/admin/delegations/{id}/revoke': { post: { summary: 'Revoke a delegation (kept, marked revoked)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: json('The delegation'), ...errors } } },
});

// The OpenAPI document of /api/v1, served at /api/v1/openapi.json.
import { verifyOpenApiPaths, verifyOpenApiSchemas } from './verification/openapi.js';
import { appointmentOpenApiPaths, appointmentOpenApiSchemas } from './appointments/openapi.js';
import { registerOpenApiPaths, registerOpenApiSchemas } from './register/openapi.js';
import { reportOpenApiPaths, reportOpenApiSchemas } from './reports/openapi.js';
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  400: { description: 'Bad input', content: { 'application/json': { schema: error } } },
  401: { description: 'Missing or bad token', content: { 'application/json': { schema: error } } },
  403: { description: 'Wrong role or agency', content: { 'application/json': { schema: error } } },
  404: { description: 'Not found', content: { 'application/json': { schema: error } } },
  409: { description: 'Wrong state, or busy', content: { 'application/json': { schema: error } } },
  503: { description: 'Temporarily unavailable (the worker is restarting, the workflow task is failing): try again after Retry-After seconds', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/json': { schema: error } } },
};
/** The common error responses, for the features' pieces. */
export type OpenApiErrors = typeof errors;
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
      ...registerOpenApiSchemas, // register books (api/register/openapi.ts)
      ...reportOpenApiSchemas, // the daily fee report (api/reports/openapi.ts)
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
    ...registerOpenApiPaths(errors), // /register-books… (api/register/openapi.ts)
    ...reportOpenApiPaths(errors), // /reports/fees[.xlsx] (api/reports/openapi.ts)
  },
};

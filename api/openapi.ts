// The OpenAPI document of /api/v1, served at /api/v1/openapi.json.
import { HTTP_STATUS } from '../domain/errors.js';
import { verifyOpenApiPaths, verifyOpenApiSchemas } from './verification/openapi.js';
import { appointmentOpenApiPaths, appointmentOpenApiSchemas } from './appointments/openapi.js';
import { registerOpenApiPaths, registerOpenApiSchemas } from './register/openapi.js';
import { reportOpenApiPaths, reportOpenApiSchemas } from './reports/openapi.js';
import { authOpenApiPaths } from './auth/openapi.js';
import { dossierOpenApiPaths, dossierOpenApiSchemas } from './dossiers/openapi.js';
import { imageOpenApiPaths, imageOpenApiSchemas } from './images/openapi.js';
import { certificateOpenApiPaths, certificateOpenApiSchemas } from './certificates/openapi.js';
import { deliveryOpenApiPaths } from './deliveries/openapi.js';
import { adminOpenApiPaths, adminOpenApiSchemas } from './admin/openapi.js';
import { processOpenApiPaths, processOpenApiSchemas } from './process/openapi.js';
import { batchOpenApiPaths, batchOpenApiSchemas } from './batches/openapi.js';
import { webhookOpenApiPaths, webhookOpenApiSchemas } from './webhooks/openapi.js';
import { signingAuthorityOpenApiPaths } from './signing-authority/openapi.js';
import { catalogueOpenApiPaths, catalogueOpenApiSchemas } from './catalogues/openapi.js';
import { accountOpenApiPaths, accountOpenApiSchemas } from './accounts/openapi.js';
import { templateOpenApiPaths, templateOpenApiSchemas } from './templates/openapi.js';
import { codecOpenApiPaths } from './codec/openapi.js';
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

export const openApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Chứng thực bản sao điện tử — API', version: '1.0.0', description: 'Dossier lifecycle for machines. Errors are {error, message} with a Vietnamese message.' },
  servers: [{ url: '/api/v1' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      ...verifyOpenApiSchemas, // public verification (api/verification/openapi.ts)
      ...appointmentOpenApiSchemas, // appointments (api/appointments/openapi.ts)
      // Every code the API answers with (domain/errors.ts), so a new one cannot be left out of the document.
      Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string', enum: Object.keys(HTTP_STATUS) }, message: { type: 'string' }, field: { type: 'string' } } },
      Status: { type: 'string', enum: ['awaiting_review', 'awaiting_signature', 'returned', 'awaiting_seal', 'completed', 'cancelled'] }, // shared: Dossier (api/dossiers/openapi.ts) and VerifiedCopy (api/verification/openapi.ts)
      ...dossierOpenApiSchemas, // Applicant, Dossier (api/dossiers/openapi.ts)
      ...imageOpenApiSchemas, // Image (api/images/openapi.ts)
      ...certificateOpenApiSchemas, // Certificate (api/certificates/openapi.ts)
      ...registerOpenApiSchemas, // register books (api/register/openapi.ts)
      ...reportOpenApiSchemas, // the daily fee report (api/reports/openapi.ts)
      ...adminOpenApiSchemas, // Agency, AdminEvent (api/admin/openapi.ts)
      ...processOpenApiSchemas, // ProcessDefinition[Body] (api/process/openapi.ts)
      ...catalogueOpenApiSchemas, // DocumentType, Slot, AgencyDay, PublicHoliday (api/catalogues/openapi.ts)
      ...accountOpenApiSchemas, // User, UserRole (api/accounts/openapi.ts)
      ...templateOpenApiSchemas, // AttestationTemplate, RegisterLayoutTemplate, TemplateVersion (api/templates/openapi.ts)
      ...batchOpenApiSchemas, // Batch (api/batches/openapi.ts)
      ...webhookOpenApiSchemas, // Webhook (api/webhooks/openapi.ts)
    },
  },
  security: [{ bearer: [] }],
  paths: {
    ...verifyOpenApiPaths, // public verification: GET /verify/{dossierCode}, POST /verify (api/verification/openapi.ts)
    ...appointmentOpenApiPaths, // GET/POST /appointments, GET /appointments/slots, /appointments/{code}[/reschedule|/cancel] (api/appointments/openapi.ts)
    ...authOpenApiPaths(errors), // POST /auth/token (api/auth/openapi.ts)
    ...dossierOpenApiPaths(errors), // GET /document-types, GET/POST /dossiers, /dossiers/{code}[/pdf|/return|/resubmit|/cancel|/sign|/seal|/deliver|/resend] (api/dossiers/openapi.ts)
    ...imageOpenApiPaths(errors), // GET/POST /images/seal, /images/signature (api/images/openapi.ts)
    ...certificateOpenApiPaths(errors), // GET/POST /certificates, /certificates/{fingerprint}/use|approve (api/certificates/openapi.ts)
    ...deliveryOpenApiPaths(errors), // GET /dossiers/{code}/deliveries, GET /deliveries (api/deliveries/openapi.ts)
    ...registerOpenApiPaths(errors), // /register-books… (api/register/openapi.ts)
    ...reportOpenApiPaths(errors), // /reports/fees[.xlsx] (api/reports/openapi.ts)
    ...adminOpenApiPaths(errors), // /admin/agencies[/{code}], /admin/audit[.xlsx] (api/admin/openapi.ts)
    ...processOpenApiPaths(errors), // /admin/agencies/{code}/process[/versions/{version}] (api/process/openapi.ts)
    ...catalogueOpenApiPaths(errors), // /admin/document-types…, /admin/agencies/{code}/slots|days…, /admin/public-holidays… (api/catalogues/openapi.ts)
    ...accountOpenApiPaths(errors), // /admin/users[/{username}], POST /auth/password (api/accounts/openapi.ts)
    ...templateOpenApiPaths(errors), // /admin/templates/{kind}[/{version}], /admin/templates/attestation/preview (api/templates/openapi.ts)
    ...batchOpenApiPaths(errors), // POST /batches, GET /batches/{id}: signing or sealing several dossiers (api/batches/openapi.ts)
    ...signingAuthorityOpenApiPaths(errors), // /admin/agencies/{code}/signing-authority|delegations, /admin/delegations/{id}/revoke (api/signing-authority/openapi.ts)
    ...webhookOpenApiPaths(errors), // /admin/agencies/{code}/webhooks, /admin/webhooks/{id}[/deliveries], /admin/webhook-deliveries/{id}/resend (api/webhooks/openapi.ts)
    ...codecOpenApiPaths(errors), // POST /temporal-codec/decode: the Temporal UI's codec (api/codec/openapi.ts)
  },
};

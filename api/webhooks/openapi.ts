// OpenAPI piece of the webhook routes (api/webhooks/json.ts), spread into api/openapi.ts.
import { WEBHOOK_EVENTS } from '../../domain/webhooks.js';
import type { OpenApiErrors } from '../openapi.js';

export const webhookOpenApiSchemas = {
  Webhook: {
    type: 'object',
    properties: {
      id: { type: 'integer' }, agencyCode: { type: 'string' }, url: { type: 'string' }, events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
      active: { type: 'boolean' }, createdBy: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' },
      secret: { type: 'string', description: 'only in the answer to its creation: the HMAC-SHA256 key, shown once' },
    },
  },
};

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const webhook = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Webhook' } } } };

export const webhookOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/agencies/{code}/webhooks': {
    get: { summary: "An agency's webhooks (admin of its scope)", parameters: [code], responses: { 200: { description: 'Webhooks', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } } } } }, ...errors } },
    post: {
      summary: 'Subscribe a URL to dossier events; the answer holds the secret, once',
      description: 'Each event is POSTed as JSON {id, type: "dossier.<event>", occurredAt, agencyCode, dossier: {code, status, …}} with headers X-CTDT-Event-Id, X-CTDT-Event-Type, X-CTDT-Timestamp and X-CTDT-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + body). Retried with backoff until a 2xx (at least once: drop repeats by the event id). In production a loopback or private address is refused.',
      parameters: [code],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['url', 'events'], properties: { url: { type: 'string', format: 'uri' }, events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } } } } } } },
      responses: { 201: { description: 'Subscribed', ...webhook }, ...errors },
    },
  },
  '/admin/webhooks/{id}': { patch: {
    summary: 'Deactivate or reactivate a webhook', parameters: [idParam],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['active'], properties: { active: { type: 'boolean' } } } } } },
    responses: { 200: { description: 'The webhook', ...webhook }, ...errors },
  } },
  '/admin/webhooks/{id}/deliveries': { get: {
    summary: "A webhook's delivery log, newest first", parameters: [idParam, { name: 'page', in: 'query', schema: { type: 'integer' } }, { name: 'pageSize', in: 'query', schema: { type: 'integer' } }],
    responses: { 200: { description: '{items: [{id, eventId, type, dossierCode, status: pending|sent|failed, attempts, lastStatus, lastError, run, createdAt, sentAt}], total, page, pageSize}' }, ...errors },
  } },
  '/admin/webhook-deliveries/{id}/resend': { post: {
    summary: 'Send a delivery again (not while it is being sent): a new run, the same event id', parameters: [idParam],
    responses: { 202: { description: '{id, run, subscriptionId}' }, ...errors },
  } },
});

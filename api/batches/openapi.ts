// OpenAPI piece of the batch routes (api/batches/json.ts), spread into api/openapi.ts.
import { BATCH_MAX } from '../../domain/batch.js';
import type { OpenApiErrors } from '../openapi.js';

export const batchOpenApiSchemas = {
  Batch: {
    type: 'object',
    properties: {
      id: { type: 'string' }, kind: { type: 'string', enum: ['sign', 'seal'] }, registerBookId: { type: ['integer', 'null'] },
      createdAt: { type: 'string', format: 'date-time' }, finishedAt: { type: ['string', 'null'], format: 'date-time' },
      actor: { type: 'object', properties: { username: { type: 'string' }, fullName: { type: 'string' }, agencyCode: { type: 'string' } } },
      items: { type: 'array', items: { type: 'object', properties: {
        code: { type: 'string' }, status: { type: 'string', enum: ['pending', 'done', 'failed'] },
        message: { type: ['string', 'null'], description: 'why this dossier failed, in its workflow\'s words' }, certificationNumber: { type: ['string', 'null'] },
      } } },
      progress: { type: 'object', properties: { total: { type: 'integer' }, done: { type: 'integer' }, failed: { type: 'integer' }, pending: { type: 'integer' }, finished: { type: 'boolean' } } },
    },
  },
};

const batch = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Batch' } } } };

export const batchOpenApiPaths = (errors: OpenApiErrors) => ({
  '/batches': { post: {
    summary: 'Sign (signer) or seal (sealer) several dossiers of the own agency in one action',
    description: `At most ${BATCH_MAX} dossiers. Each stays its own workflow with its own signature; a failure of one is reported for it and does not stop the others. Seals are given in the order of \`codes\`, so the numbers follow it. The same Idempotency-Key gives the same batch.`,
    parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['kind', 'codes'], properties: {
      kind: { type: 'string', enum: ['sign', 'seal'] }, codes: { type: 'array', items: { type: 'string' }, maxItems: BATCH_MAX }, registerBookId: { type: 'integer', description: 'seal: the register book' },
    } } } } },
    responses: { 202: { description: 'Started (or the batch this key started); follow it with GET /batches/{id}', ...batch }, ...errors },
  } },
  '/batches/{id}': { get: {
    summary: 'A batch: each dossier\'s result and the progress (its starter, or a holder of its role in the same agency)',
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    responses: { 200: { description: 'The batch', ...batch }, ...errors },
  } },
});

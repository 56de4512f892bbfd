// OpenAPI piece of the process routes (api/process/json.ts), spread into api/openapi.ts.
import { MAX_REVIEW_STEPS, STEP_ROLES } from '../../domain/process.js';
import type { OpenApiErrors } from '../openapi.js';

const codeParam = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: '000.03.25.H51' };
const roles = Object.entries(STEP_ROLES).map(([step, r]) => `${step}: ${r.join('|')}`).join('; ');

export const processOpenApiSchemas = {
  ProcessDefinitionBody: {
    type: 'object', required: ['steps', 'separationOfDuties', 'autoDeliver'],
    properties: {
      steps: {
        type: 'array', description: `submit, then 0–${MAX_REVIEW_STEPS} review steps (each with a label), then sign, seal, deliver, in that order. Roles each step may have: ${roles}.`,
        items: { type: 'object', required: ['step', 'role'], properties: { step: { type: 'string', enum: Object.keys(STEP_ROLES) }, role: { type: 'string' }, label: { type: 'string', maxLength: 120 } } },
      },
      separationOfDuties: { type: 'boolean', description: 'true: one person may not perform two of submit, review, sign and seal of the same dossier' },
      autoDeliver: { type: 'boolean', description: 'true: the e-copy goes to the applicant as soon as it is sealed' },
    },
  },
  ProcessDefinition: {
    allOf: [{ $ref: '#/components/schemas/ProcessDefinitionBody' }, { type: 'object', properties: { version: { type: 'integer', description: '0: the built-in process (none published)' }, agencyCode: { type: 'string' } } }],
  },
};

export const processOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/agencies/{code}/process': {
    get: {
      summary: "The agency's current process (admin of its scope) and its published versions, newest first",
      description: 'New dossiers of the agency start under this version and keep it to the end (it is in their workflow input); 404 outside the scope.',
      parameters: [codeParam],
      responses: { 200: { description: 'The current process + versions[] (each with publishedBy, publishedAt)', content: { 'application/json': { schema: { $ref: '#/components/schemas/ProcessDefinition' } } } }, ...errors },
    },
    post: {
      summary: 'Publish a new version of the agency\'s process (admin of its scope)',
      description: 'Versions are immutable: this makes version N+1, used by dossiers created afterwards only. Refused, changing and recording nothing: a malformed definition (400, field steps/separationOfDuties/autoDeliver), the same as the current version (409), an inactive agency (409), outside the scope (404). Recorded in the admin audit.',
      parameters: [codeParam],
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ProcessDefinitionBody' } } } },
      responses: { 201: { description: 'The new version', content: { 'application/json': { schema: { type: 'object', properties: { version: { type: 'integer' } } } } } }, ...errors },
    },
  },
  '/admin/agencies/{code}/process/versions/{version}': {
    get: {
      summary: 'One version of the agency\'s process (0: the built-in one)',
      parameters: [codeParam, { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
      responses: { 200: { description: 'The version', content: { 'application/json': { schema: { $ref: '#/components/schemas/ProcessDefinition' } } } }, ...errors },
    },
  },
});

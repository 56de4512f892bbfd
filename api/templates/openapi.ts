// OpenAPI piece of the template routes (api/templates/json.ts), spread into api/openapi.ts.
import {
  ATTESTATION_PLACEHOLDERS, BODY_LINES_MAX, HEADER_LINES_MAX, REGISTER_COLUMNS_MAX, REGISTER_FIELD_NAMES, REGISTER_HEADER_MAX,
  REGISTER_WIDTH_MAX, REGISTER_WIDTH_MIN, TEMPLATE_KINDS, TEMPLATE_LINE_MAX,
} from '../../domain/templates.js';
import { ATTESTATION_SENTENCE } from '../../domain/attestation.js';
import type { OpenApiErrors } from '../openapi.js';

const kindParam = { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: TEMPLATE_KINDS } };
const WHO = 'Templates are system-wide (a decree changes them for the whole country): any admin reads them (403 without the admin role); '
  + 'only a system administrator (the admin of a root agency) publishes a version (403 otherwise).';
const line = { type: 'string', maxLength: TEMPLATE_LINE_MAX };
const placeholders = Object.keys(ATTESTATION_PLACEHOLDERS).map((k) => `{${k}}`).join(', ');

export const templateOpenApiSchemas = {
  AttestationTemplate: {
    type: 'object', required: ['header', 'body', 'dateLine'],
    description: `Lines with placeholders ${placeholders} (any other, or a stray brace, is 400); no control characters. A line whose placeholder has no value is left out. The body must keep the sentence “${ATTESTATION_SENTENCE}”.`,
    properties: {
      header: { type: 'array', minItems: 1, maxItems: HEADER_LINES_MAX, items: line, description: 'The agency line, then the title lines', example: ['{agencyName}', 'LỜI CHỨNG'] },
      body: { type: 'array', minItems: 1, maxItems: BODY_LINES_MAX, items: line, example: [ATTESTATION_SENTENCE, 'Loại giấy tờ: {documentTypeName}'] },
      dateLine: { ...line, example: '{date}', description: 'Above the signer\'s title; its first letter is capitalised' },
    },
  },
  RegisterLayoutTemplate: {
    type: 'object', required: ['columns'],
    properties: {
      columns: {
        type: 'array', minItems: 1, maxItems: REGISTER_COLUMNS_MAX,
        items: {
          type: 'object', required: ['field', 'header', 'width'],
          properties: {
            field: { type: 'string', enum: REGISTER_FIELD_NAMES, description: 'Each field at most once' },
            header: { type: 'string', maxLength: REGISTER_HEADER_MAX }, width: { type: 'integer', minimum: REGISTER_WIDTH_MIN, maximum: REGISTER_WIDTH_MAX },
          },
        },
      },
    },
  },
  TemplateVersion: {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: TEMPLATE_KINDS }, version: { type: 'integer', minimum: 1 },
      body: { oneOf: [{ $ref: '#/components/schemas/AttestationTemplate' }, { $ref: '#/components/schemas/RegisterLayoutTemplate' }] },
      publishedBy: { type: 'string', nullable: true, description: 'null: version 1, installed with the product' },
      publishedByName: { type: 'string', nullable: true }, publishedAt: { type: 'string', format: 'date-time' },
    },
  },
};

const version = { content: { 'application/json': { schema: { $ref: '#/components/schemas/TemplateVersion' } } } };
const draft = { content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/AttestationTemplate' }, { $ref: '#/components/schemas/RegisterLayoutTemplate' }] } } } };

/** The paths, with the document's common error responses. */
export const templateOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/templates/{kind}': {
    get: {
      summary: 'A template: its latest version and the list of all versions (admin)', description: WHO, parameters: [kindParam],
      responses: {
        200: {
          description: 'latest: what signing (attestation) and the register export (register_book) use now; versions newest first; canPublish: may the actor publish',
          content: { 'application/json': { schema: { type: 'object', properties: { kind: { type: 'string' }, latest: { $ref: '#/components/schemas/TemplateVersion' }, versions: { type: 'array', items: { type: 'object' } }, canPublish: { type: 'boolean' } } } } },
        },
        ...errors,
      },
    },
    post: {
      summary: 'Publish the next version of a template (system administrator)',
      description: `${WHO} Versions never change: this makes version N+1, used from now on by every new signature (attestation; each signed file records its version as templateVersion) or export (register_book). Refused, changing nothing: a draft that breaks a rule (400, the message says which; field header, body, dateLine or columns); a draft identical to the latest version (409). Recorded in the audit (GET /admin/audit?entity=template) in the same transaction.`,
      parameters: [kindParam], requestBody: draft,
      responses: { 201: { description: 'The new version', content: { 'application/json': { schema: { type: 'object', properties: { version: { type: 'integer' } } } } } }, ...errors },
    },
  },
  '/admin/templates/{kind}/{version}': {
    get: {
      summary: 'One version of a template (admin); 404 for one never published', description: WHO,
      parameters: [kindParam, { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      responses: { 200: { description: 'The version', ...version }, ...errors },
    },
  },
  '/admin/templates/attestation/preview': {
    post: {
      summary: 'The attestation page a draft would print, with an example dossier (admin); nothing is published',
      description: 'The draft is checked as for publishing (400). Drawn off the event loop by poppler\'s pdftoppm; 503 when it is not available.',
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/AttestationTemplate' } } } },
      responses: { 200: { description: 'image/png' }, ...errors },
    },
  },
});

// OpenAPI piece of the Temporal UI's codec endpoint (api/codec/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const payloads = {
  type: 'object', required: ['payloads'],
  properties: { payloads: { type: 'array', maxItems: 1000, items: { type: 'object', properties: { metadata: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } }, data: { type: 'string', format: 'byte' } } } } },
};

export const codecOpenApiPaths = (errors: OpenApiErrors) => ({
  '/temporal-codec/decode': {
    post: {
      summary: "Codec Server protocol (the Temporal Web UI's and CLI's --codec-endpoint): Temporal payloads encrypted by this installation, decoded, for a supervisor or tester (bearer token, or the session cookie with a TEMPORAL_UI_ORIGINS origin); X-Namespace, when sent, must be this installation's",
      security: [{ bearer: [] }, {}],
      parameters: [{ name: 'X-Namespace', in: 'header', schema: { type: 'string' } }],
      requestBody: { required: true, content: { 'application/json': { schema: payloads } } },
      responses: { 200: { description: 'The same payloads, decoded, in order', content: { 'application/json': { schema: payloads } } }, ...errors },
    },
  },
});

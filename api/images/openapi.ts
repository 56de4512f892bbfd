// OpenAPI piece of the seal and signature image routes /images/seal, /images/signature (api/images/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const error = { $ref: '#/components/schemas/Error' };
const imageRecord = { $ref: '#/components/schemas/Image' };

export const imageOpenApiSchemas = {
  Image: { type: 'object', properties: { kind: { type: 'string', enum: ['seal', 'signature'] }, owner: { type: 'string', description: 'agency code (seal) or username (signature)' }, sha256: { type: 'string' }, size: { type: 'integer' }, width: { type: 'integer' }, height: { type: 'integer' }, uploadedBy: { type: 'string' }, uploadedAt: { type: 'string', format: 'date-time' } } },
};

function imagePaths(errors: OpenApiErrors, kind: 'seal' | 'signature', what: string, who: string) {
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

/** The paths, with the document's common error responses. */
export const imageOpenApiPaths = (errors: OpenApiErrors) => ({
  '/images/seal': imagePaths(errors, 'seal', "The agency's seal image (PNG) drawn in the seal's visible appearance", 'sealer of the agency'),
  '/images/signature': imagePaths(errors, 'signature', "The caller's own signature image (PNG) drawn in the leader's visible signature", 'the token\'s own user, with the signer role; a `username` field or query naming someone else is refused with 403'),
});

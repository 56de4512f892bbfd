// OpenAPI piece of the login route POST /auth/token (api/auth/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

/** The paths, with the document's common error responses. */
export const authOpenApiPaths = (errors: OpenApiErrors) => ({
  '/auth/token': { post: { security: [], summary: 'Log in', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' }, agencyCode: { type: 'string', description: 'The working agency of a staff user with roles in several agencies (403 when it holds none there); default: the home agency, else the first with a role' } } } } } }, responses: { 200: { description: '{token}' }, 400: errors[400], 401: errors[401], 403: errors[403], 429: { description: 'Too many failed logins' } } } },
});

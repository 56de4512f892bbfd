// OpenAPI piece of the account routes (api/accounts/json.ts), spread into api/openapi.ts.
import { ROLES } from '../../domain/types.js';
import type { OpenApiErrors } from '../openapi.js';

const usernameParam = { name: 'username', in: 'path', required: true, schema: { type: 'string' }, example: 'canbo' };
const SCOPE = 'Admin only (403 otherwise). A user belongs to its home agency (agencyCode) and is in the scope of an admin of that agency or of one above it; '
  + 'a user, or an agency a role is given in, outside the scope is 404, for reads and writes. Every accepted change is recorded in the audit (GET /admin/audit, entity user) '
  + 'in the same transaction, never with the password or its hash (passwordReset: true instead).';

const roleList = { type: 'array', items: { $ref: '#/components/schemas/UserRole' } };
const userFields = {
  fullName: { type: 'string', maxLength: 200 }, title: { type: 'string', maxLength: 200, description: 'Chức danh, printed in the attestation' },
  idNumber: { type: 'string', nullable: true, pattern: '^(\\d{9}|\\d{12})$', description: 'CMND (9 digits) or CCCD (12 digits)' },
  email: { type: 'string', nullable: true },
};

export const accountOpenApiSchemas = {
  UserRole: { type: 'object', required: ['agencyCode', 'role'], properties: { agencyCode: { type: 'string' }, role: { type: 'string', enum: ROLES } } },
  User: {
    type: 'object',
    properties: {
      username: { type: 'string' }, ...userFields, agencyCode: { type: 'string', description: 'The home agency' }, active: { type: 'boolean' },
      roles: roleList, mustChangePassword: { type: 'boolean', description: 'The next login goes to the password change first' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
};
const user = { content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } } };

/** The paths, with the document's common error responses. */
export const accountOpenApiPaths = (errors: OpenApiErrors) => ({
  '/admin/users': {
    get: {
      summary: "The accounts of the admin's scope (admin), by username",
      description: SCOPE,
      parameters: [{ name: 'agencyCode', in: 'query', schema: { type: 'string' }, description: 'Only the users of this home agency (of the scope)' }],
      responses: { 200: { description: 'The users (never a password hash)', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/User' } } } } }, ...errors },
    },
    post: {
      summary: 'Create an account (admin); the user changes the password at the first login',
      description: `${SCOPE} Refused, changing and recording nothing: a username not of 3–32 lowercase letters, digits, . _ - (400, field username) or already used (409); a password shorter than 10 characters or containing the username (400); a CMND/CCCD not of 9 or 12 digits (400); an agency outside the scope (404). The home agency is agencyCode, or the first role's agency.`,
      requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['username', 'password', 'fullName', 'roles'], properties: { username: { type: 'string', pattern: '^[a-z0-9._-]{3,32}$' }, password: { type: 'string', minLength: 10 }, ...userFields, roles: roleList, agencyCode: { type: 'string' } } } } } },
      responses: { 201: { description: 'The user', ...user }, ...errors },
    },
  },
  '/admin/users/{username}': {
    get: { summary: 'One account of the scope (admin); 404 outside it', description: SCOPE, parameters: [usernameParam], responses: { 200: { description: 'The user', ...user }, ...errors } },
    patch: {
      summary: 'Edit an account (admin): details, roles, (de)activate, reset the password',
      description: `${SCOPE} A field left out keeps its value. A user that also holds a role in an agency outside the scope is not changed (403): only an admin whose scope holds all its roles changes it. roles replaces the user's roles. active: false ends the user's sessions and API tokens at once, in the same transaction. password sets a new one (rules as for POST): the user's sessions and tokens end, and it must change the password at the next login. An admin may not deactivate itself nor remove its own admin role (409). A change that changes nothing answers 200 and records nothing.`,
      parameters: [usernameParam],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { ...userFields, active: { type: 'boolean' }, roles: roleList, password: { type: 'string', minLength: 10 } } } } } },
      responses: { 200: { description: 'The user after the edit', ...user }, ...errors },
    },
  },
  '/auth/password': {
    post: {
      summary: "Change one's own password",
      description: 'The one route open to a user who must change the password (a new account, a reset by an admin): every other route answers 403 {error: "password_change_required"} until then. The new password has at least 10 characters, does not contain the username and differs from the current one (400 otherwise). Every session and token of the user made before (this one included) ends: the answer carries a new token, for the same working agency.',
      requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['currentPassword', 'newPassword'], properties: { currentPassword: { type: 'string' }, newPassword: { type: 'string', minLength: 10 } } } } } },
      responses: { 200: { description: '{token, expiresIn}: the successor of the token used' }, ...errors },
    },
  },
});

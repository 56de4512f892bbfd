// OpenAPI piece of the certificate routes /certificates… (api/certificates/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';

const error = { $ref: '#/components/schemas/Error' };
const certificate = { $ref: '#/components/schemas/Certificate' };
const remoteSigner = { $ref: '#/components/schemas/RemoteSigner' };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const fingerprint = { name: 'fingerprint', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' }, description: "SHA-256 of the certificate's DER, lowercase hex" };

export const certificateOpenApiSchemas = {
  Certificate: {
    type: 'object',
    required: ['fingerprint', 'purpose', 'owner', 'subject', 'issuer', 'serial', 'notBefore', 'notAfter', 'status', 'warnings'],
    properties: {
      fingerprint: { type: 'string', description: "SHA-256 of the certificate's DER, lowercase hex" },
      purpose: { type: 'string', enum: ['personal', 'seal'] },
      owner: { type: 'string', description: 'username (personal) or agency code (seal)' },
      subject: { type: 'string' }, issuer: { type: 'string' }, serial: { type: 'string', description: 'hex' },
      commonName: { type: 'string', nullable: true },
      notBefore: { type: 'string', format: 'date-time' }, notAfter: { type: 'string', format: 'date-time' },
      keyUsage: { type: 'array', nullable: true, items: { type: 'string' }, description: 'null: no key-usage extension' },
      status: { type: 'string', enum: ['in_use', 'standby', 'needs_approval', 'expired'], description: 'needs_approval: the holder name differs from the user\'s full name; an administrator approves it' },
      warnings: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      uploadedBy: { type: 'string' }, uploadedAt: { type: 'string', format: 'date-time' },
      firstUsedAt: { type: 'string', format: 'date-time', nullable: true },
      remote: { type: 'boolean', description: "Present (true) in the approvals list for a remote signing credential's certificate" },
    },
  },
  RemoteSigner: {
    type: 'object',
    required: ['serviceUrl', 'credentialId', 'authKind', 'fingerprint', 'subject', 'notAfter', 'inUse', 'updatedAt'],
    description: "A leader's remote signing service (Cloud Signature Consortium API); its secrets are never returned",
    properties: {
      serviceUrl: { type: 'string' }, credentialId: { type: 'string' }, authKind: { type: 'string', enum: ['none', 'token', 'basic', 'oauth2'] },
      fingerprint: { type: 'string', description: "SHA-256 of the credential's certificate, lowercase hex" },
      subject: { type: 'string' }, commonName: { type: 'string', nullable: true }, notAfter: { type: 'string', format: 'date-time' },
      inUse: { type: 'boolean', description: 'true: the leader signs through the service; false: with the uploaded certificate in use' },
      needsApproval: { type: 'boolean', description: "The certificate's holder name differs from the leader's full name: kept out of use until an administrator approves it (POST /certificates/{fingerprint}/approve)" },
      warnings: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
};

const serviceProps = {
  serviceUrl: { type: 'string', description: 'The CSC API base with its version, e.g. https://ky-so.example.vn/csc/v2 (https only in production)' },
  authKind: { type: 'string', enum: ['none', 'token', 'basic', 'oauth2'], description: 'token: a bearer (OAuth2) access token the user was given; basic: username and password exchanged at auth/login; oauth2: client credentials (clientId, clientSecret) exchanged at tokenUrl; default token' },
  token: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' },
  tokenUrl: { type: 'string', description: "oauth2: the service's token endpoint" }, clientId: { type: 'string' }, clientSecret: { type: 'string' },
  pin: { type: 'string', description: "The credential's PIN, for services whose authMode is explicit" },
};

export const certificateOpenApiPaths = (errors: OpenApiErrors) => ({
  '/certificates': {
    get: {
      summary: "The caller's personal certificates (signer) and its agency's seal certificates; never the keys",
      responses: { 200: { description: 'Lists', content: json({ type: 'object', properties: { personal: { type: 'array', items: certificate }, seal: { type: 'array', items: certificate } } }) }, 401: errors[401] },
    },
    post: {
      summary: 'Upload a PKCS#12 (personal: the signed-in leader; seal: the seal keeper, for its agency)',
      description: 'Checked before anything is stored: the passphrase, a private key with its certificate, validity, key usage (digitalSignature or nonRepudiation), a path to a trust anchor (TRUST_ANCHORS; demo: the test CA), revocation (OCSP/CRL; unknown: refused in production, a warning in demo), the agency named in a seal certificate; a holder name that differs from the user\'s full name is a warning that keeps the certificate out of use until an administrator approves it. The private key is stored encrypted (AES-256-GCM under KEY_ENCRYPTION_KEY); the passphrase is not stored. The newest accepted certificate is put in use.',
      requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', required: ['file', 'passphrase', 'purpose'], properties: {
        file: { type: 'string', format: 'binary', description: 'PKCS#12 (.p12, .pfx), at most 256 KB' },
        passphrase: { type: 'string' }, purpose: { type: 'string', enum: ['personal', 'seal'] },
      } } } } },
      responses: {
        ...errors,
        201: { description: 'Stored', content: json(certificate) },
        409: { description: 'Already uploaded', content: json(error) },
        413: { description: 'File over 256 KB', content: json(error) },
        422: { description: 'A check refused the certificate (error certificate_refused, the message says which)', content: json(error) },
      },
    },
  },
  '/certificates/{fingerprint}/use': {
    post: {
      summary: 'Sign with this certificate from now on (its owner: the leader, or the seal keeper for the seal)',
      parameters: [fingerprint],
      responses: { 200: { description: 'In use', content: json(certificate) }, ...errors },
    },
  },
  '/certificates/pending': {
    get: {
      summary: "An administrator's list: personal certificates and remote signing credentials of the agency's users whose holder name differs, waiting for approval",
      responses: { 200: { description: 'Waiting', content: json({ type: 'object', properties: { items: { type: 'array', items: certificate } } }) }, ...errors },
    },
  },
  '/certificates/{fingerprint}/approve': {
    post: {
      summary: 'An administrator of the agency approves a personal certificate (uploaded, or a remote signing credential\'s) whose holder name differs',
      parameters: [fingerprint],
      responses: { 200: { description: 'Approved and in use', content: json(certificate) }, ...errors },
    },
  },
  '/certificates/remote': {
    get: {
      summary: "The signed-in leader's remote signing service, or null",
      responses: { 200: { description: 'The configuration', content: json({ type: 'object', properties: { remoteSigner: { ...remoteSigner, nullable: true } } }) }, ...errors },
    },
    put: {
      summary: 'Sign through a remote signing service (CSC API) from now on: the signed-in leader, for itself',
      description: "The service is asked for the credential (credentials/info) and its certificate is checked as an uploaded one is (validity, key usage, a path to a trust anchor, revocation, the holder's name); a refusal stores nothing. The secrets (token, password, PIN) are stored encrypted under KEY_ENCRYPTION_KEY. Each signature then hashes the CMS signed attributes with SHA-256, asks credentials/authorize for a SAD bound to that hash and signatures/signHash for the signature.",
      requestBody: { content: json({ type: 'object', required: ['serviceUrl', 'credentialId'], properties: { ...serviceProps, credentialId: { type: 'string', description: 'One of POST /certificates/remote/credentials' } } }) },
      responses: {
        ...errors,
        200: { description: 'Saved and in use; or, when the certificate names someone else, saved with needsApproval and out of use until an administrator approves it', content: json(remoteSigner) },
        422: { description: 'The service refused (credentials, credential disabled or unknown) or a check refused its certificate (certificate_refused)', content: json(error) },
        503: { description: 'The service did not answer; nothing stored', content: json(error) },
      },
    },
  },
  '/certificates/remote/credentials': {
    post: {
      summary: 'The credentials a remote signing service offers (credentials/list), to pick one',
      requestBody: { content: json({ type: 'object', required: ['serviceUrl'], properties: serviceProps }) },
      responses: { ...errors, 200: { description: 'Credential ids', content: json({ type: 'object', properties: { credentialIds: { type: 'array', items: { type: 'string' } } } }) }, 422: { description: 'The service refused', content: json(error) }, 503: { description: 'The service did not answer', content: json(error) } },
    },
  },
  '/certificates/remote/use': {
    post: {
      summary: 'Switch remote signing on (sign through the service) or off (sign with the uploaded certificate in use)',
      requestBody: { content: json({ type: 'object', required: ['inUse'], properties: { inUse: { type: 'boolean' } } }) },
      responses: { ...errors, 200: { description: 'Switched', content: json(remoteSigner) } },
    },
  },
});

// OpenAPI piece of the dossier routes /document-types, /dossiers, /dossiers/{code}[/pdf|/return|…|/sign/prepare|/sign/complete|/resend] (api/dossiers/json.ts), spread into api/openapi.ts.
import type { OpenApiErrors } from '../openapi.js';
import { ATTESTATION_PAGE, DEFAULT_PLACEMENT, PLACEMENT_LIMITS, SIGNATURE_BOX } from '../../domain/placement.js';

/** The details "Xử lý tiếp" may edit (each optional; left out: kept). */
const resubmitEdit = {
  applicantKind: { type: 'string', enum: ['citizen', 'business', 'no_account'] }, idNumber: { type: 'string' }, fullName: { type: 'string', description: 'no_account only (an account gives its own name)' },
  email: { type: 'string' }, phone: { type: 'string' }, documentType: { type: 'string', description: 'an active document type code' }, copies: { type: 'integer', minimum: 1, maximum: 100 },
} as const;

const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' }, example: 'G22.29-271126-010001' };
const idem = { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Same key, same result: a repeated request acts once.' };
const dossierAfter = (errors: OpenApiErrors) => ({ 200: { description: 'The dossier after the action', content: { 'application/json': { schema: { $ref: '#/components/schemas/Dossier' } } } }, ...errors });
// An action answers within a few seconds: the dossier after it, or 202 while it is still running (signing, sealing).
const actionAnswer = (errors: OpenApiErrors) => ({ ...dossierAfter(errors), 202: { description: 'Accepted and still running: {code, status, processing: true}; GET /dossiers/{code} follows it, and the same Idempotency-Key finds it again' } });

/** Applicant and Dossier; their Status is shared (api/openapi.ts), the public verification uses it too. */
export const dossierOpenApiSchemas = {
  Applicant: { type: 'object', properties: { kind: { type: 'string', enum: ['citizen', 'business', 'no_account'] }, fullName: { type: 'string' }, idNumber: { type: 'string', nullable: true }, email: { type: 'string', nullable: true }, phone: { type: 'string', nullable: true }, accountUsername: { type: 'string', nullable: true } } },
  Dossier: {
    type: 'object',
    properties: {
      code: { type: 'string' }, status: { $ref: '#/components/schemas/Status' }, agencyCode: { type: 'string' }, agencyName: { type: 'string' },
      applicant: { $ref: '#/components/schemas/Applicant' }, documentType: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
      copies: { type: 'integer' }, pageCount: { type: 'integer' }, fee: { type: 'integer', description: 'VND, TT 226/2016/TT-BTC' },
      certificationNumber: { type: 'string', nullable: true, example: '12/ĐT' }, registerBook: { type: 'object', nullable: true },
      returnReason: { type: 'string', nullable: true }, history: { type: 'array', items: { type: 'object' } },
      signedBy: { type: 'object', nullable: true, description: 'Who signed and when; `placement` {x, y} where the signature box is on the attestation page (absent: the default place)', properties: {
        username: { type: 'string' }, fullName: { type: 'string' }, title: { type: 'string' }, at: { type: 'string', format: 'date-time' },
        placement: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
      } },
      processing: { type: 'boolean', description: 'Present (true) while an accepted action is still running' },
      waitingFor: { type: 'string', enum: ['timestamp', 'revocation', 'token', 'remote_signing'], description: "Present while processing when the last attempt waited in vain for a trust service, the time-stamping authority (timestamp), the certificate's OCSP responder / CRL (revocation), the PKCS#11 token / HSM holding the agency seal's key (token) or the leader's remote signing service, CSC API (remote_signing); it is being retried" },
      stale: { type: 'boolean', description: "Present (true) when the workflow could not be asked: the read model's last recorded state, possibly not current" },
    },
  },
};

/** Where the leader's signature box goes on the attestation page (domain/placement.ts has the limits). */
const placement = {
  type: 'object', required: ['x', 'y'],
  description: `Where the signature box (${SIGNATURE_BOX.width} × ${SIGNATURE_BOX.height} pt, the signer's name under it) goes on the attestation page, the A4 page (${ATTESTATION_PAGE.width} × ${ATTESTATION_PAGE.height} pt) the system adds after the scan. Without it, the leader's last placement, else the right column under the title (x ${DEFAULT_PLACEMENT.x}, y ${DEFAULT_PLACEMENT.y}). The placement used becomes the leader's default and is kept in the dossier (signedBy.placement). Out of the page: 422 validation, nothing changes.`,
  properties: {
    page: { type: 'integer', description: 'The e-copy page that carries the signature: only the attestation page, the scan\'s page count + 1 (the law puts the signature under the attestation)' },
    x: { type: 'number', minimum: PLACEMENT_LIMITS.x.min, maximum: PLACEMENT_LIMITS.x.max, description: "The box's lower-left corner, PDF points from the page's left edge" },
    y: { type: 'number', minimum: PLACEMENT_LIMITS.y.min, maximum: PLACEMENT_LIMITS.y.max, description: "The box's lower-left corner, PDF points from the page's bottom edge (PDF user space)" },
  },
  example: { page: 2, x: 305, y: 318 },
} as const;

/** The exchange of a signature made outside the server (a leader's USB token driven by a desktop tool). */
const signPrepare = (errors: OpenApiErrors) => ({
  post: {
    parameters: [code, idem],
    summary: "Prepare the leader's signature with a token outside the server (signer)",
    description: [
      'Step 1 of 2. The server checks `certificate` as the signer\'s: a chain that reaches a configured trust anchor (TRUST_ANCHORS; in demo mode also the test CA), valid now, with key usage digitalSignature or nonRepudiation, not a CA, whose holder (CN) is the user\'s full name (or one of the user\'s uploaded personal certificates that an administrator approved).',
      'It then builds the signed copy exactly as POST /dossiers/{code}/sign would (the attestation page, the signature field and the empty signature placeholder, signing time now), fills its /ByteRange and computes the SHA-256 of the two byte ranges. `signedAttributes` is the DER encoding (a SET, tag 0x31) of the CMS signed attributes the signature will carry: content-type (id-data), message-digest (that byte-range SHA-256) and signing-certificate-v2 (ESSCertIDv2 of the given leaf certificate).',
      '**The bytes to sign are `signedAttributes` exactly as decoded.** A token signs them with CKM_SHA256_RSA_PKCS (RSA PKCS#1 v1.5 over SHA-256) or CKM_ECDSA over their SHA-256 (r || s as the token returns it, or a DER Ecdsa-Sig-Value). A tool that signs a precomputed hash signs `digest` = SHA-256(signedAttributes) as the SHA-256 DigestInfo (e.g. `openssl pkeyutl -sign -pkeyopt digest:sha256`); `digest` is not the document digest.',
      'The preparation lives in the dossier\'s workflow (a restart loses nothing) until `expiresAt`, 10 minutes; a new preparation replaces an older one. Nothing a person sees changes.',
    ].join('\n\n'),
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['certificate'], properties: {
      certificate: { type: 'string', description: 'The signer\'s certificate chain, PEM, leaf first, then its CA certificates (the root may be left out)', example: '-----BEGIN CERTIFICATE-----\nMIID…\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n…' },
      placement,
    } } } } },
    responses: {
      200: { description: 'The preparation', content: { 'application/json': { schema: { type: 'object', required: ['preparationId', 'digest', 'digestAlgorithm', 'signedAttributes', 'expiresAt'], properties: {
        preparationId: { type: 'string', description: 'Names the preparation in sign/complete' },
        signedAttributes: { type: 'string', format: 'byte', description: 'Base64 of the DER SET of signed attributes: the bytes to sign' },
        digest: { type: 'string', format: 'byte', description: 'Base64 of SHA-256(signedAttributes), for tools that sign a precomputed hash' },
        digestAlgorithm: { type: 'string', enum: ['SHA-256'] },
        expiresAt: { type: 'string', format: 'date-time', description: 'sign/complete is refused after this (10 minutes)' },
        certificate: { type: 'object', properties: { fingerprint: { type: 'string', description: 'SHA-256 of the leaf certificate, hex' }, holder: { type: 'string' } } },
      } } } } },
      422: { description: 'certificate_refused: the chain is not trusted, the certificate expired, is not for signing, or is not the signer\'s' },
      ...errors,
    },
  },
});
const signComplete = (errors: OpenApiErrors) => ({
  post: {
    parameters: [code, idem],
    summary: "Complete the leader's signature with the token's raw signature (signer)",
    description: 'Step 2 of 2. The server verifies `signature` over the prepared `signedAttributes` with the prepared certificate\'s public key, timestamps it (B-T and above), checks the certificate\'s revocation (B-LT and above), assembles the CMS (SubFilter ETSI.CAdES.detached), writes it into the placeholder and stores the signed copy; the dossier moves on to awaiting_seal as after POST /dossiers/{code}/sign, its history naming the certificate (SHA-256). A refusal changes nothing: a wrong signature (422 signature_invalid) keeps the preparation for another try; an unknown, replaced or expired preparation, a second complete or one after the dossier was signed another way are 409 wrong_state; another leader\'s preparation 403.',
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['preparationId', 'signature'], properties: {
      preparationId: { type: 'string' },
      signature: { type: 'string', format: 'byte', description: 'Base64 of the raw signature over signedAttributes: RSA PKCS#1 v1.5 (as long as the modulus), or ECDSA as a DER Ecdsa-Sig-Value or as r || s (PKCS#11 CKM_ECDSA)' },
    } } } } },
    responses: { ...actionAnswer(errors), 422: { description: 'signature_invalid: the signature does not verify with the prepared certificate over signedAttributes; certificate_revoked' } },
  },
});

/** The paths, with the document's common error responses. */
export const dossierOpenApiPaths = (errors: OpenApiErrors) => {
  const dossier = dossierAfter(errors);
  const action = actionAnswer(errors);
  return {
    '/document-types': { get: { summary: 'Document type catalogue', responses: { 200: { description: '[{code, name}]' } } } },
    '/dossiers': {
      post: {
        summary: 'Create a dossier and submit it for signature (creator)', parameters: [idem],
        requestBody: { content: { 'multipart/form-data': { schema: { type: 'object', required: ['scan', 'applicantKind', 'documentType'], properties: {
          scan: { type: 'string', format: 'binary', description: 'PDF, at most 30 MB' }, applicantKind: { type: 'string', enum: ['citizen', 'business', 'no_account'] },
          idNumber: { type: 'string', description: 'CMND (9), CCCD (12) or MST (10 or 10-3)' }, fullName: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' },
          documentType: { type: 'string' }, copies: { type: 'integer', minimum: 1, maximum: 100 }, appointmentCode: { type: 'string' } } } } } },
        responses: { 201: { description: 'Created and submitted', content: { 'application/json': { schema: { $ref: '#/components/schemas/Dossier' } } } }, 413: { description: 'Scan over 30 MB' }, ...errors },
      },
      get: {
        summary: "List the agency's dossiers (a supervisor's: its agency's and those of every agency under it)",
        parameters: [
          ...['status', 'q', 'code', 'applicantKind', 'from', 'to', 'page', 'pageSize'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          { name: 'overdue', in: 'query', schema: { type: 'string', enum: ['1'] }, description: 'Only dossiers still waiting on someone (awaiting_review, awaiting_signature, returned, awaiting_seal) whose due day has passed' },
          { name: 'sort', in: 'query', schema: { type: 'string', enum: ['newest', 'oldest', 'due'], default: 'newest' }, description: 'newest or oldest created first, or the nearest due day first' },
          { name: 'agencyCode', in: 'query', schema: { type: 'string' }, description: "One agency of the caller's reach (a supervisor's subtree); outside it: 404" },
          { name: 'tree', in: 'query', schema: { type: 'string', enum: ['1'] }, description: 'With agencyCode: that agency and every agency under it' },
        ],
        responses: { 200: { description: '{total, page, pageSize, items}' }, ...errors },
      },
    },
    '/dossiers/{code}': { get: { parameters: [code], summary: 'State, applicant, document type, certification number, history (a supervisor also reads the dossiers of the agencies under its own)', responses: dossier } },
    '/dossiers/{code}/history': { get: { parameters: [code], summary: "The workflow's whole history as Temporal JSON, as `temporal workflow show -o json` gives it (supervisor, tester; the dossier's agency or one under theirs); replays with `npm run replay`", responses: { 200: { description: 'Temporal history JSON {events: [...]}' }, ...errors } } },
    '/dossiers/{code}/pdf': { get: { parameters: [code, { name: 'which', in: 'query', schema: { type: 'string', enum: ['scan'] } }], summary: 'The current PDF (scan, signed, or sealed e-copy)', responses: { 200: { description: 'application/pdf' }, ...errors } } },
    '/dossiers/{code}/approve': { post: { parameters: [code, idem], summary: 'Pass the review step the dossier waits on (status awaiting_review; the role of that step in the dossier\'s process)', description: 'The dossier goes to its next review step, or to awaiting_signature after the last one. With separationOfDuties in its process, one who performed another step of the dossier is refused (403).', responses: action } },
    '/dossiers/{code}/return': { post: { parameters: [code, idem], summary: 'Return to the creator with a reason (the signer, or the role of the review step the dossier waits on)', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } }, responses: action } },
    '/dossiers/{code}/resubmit': { post: {
      parameters: [code, idem], summary: 'Resubmit a returned dossier, optionally with a new scan and edited details (creator)',
      description: 'Each detail given replaces the current one and is checked as at creation (the applicant as a whole: a portal account by its number, or one without an account with an e-mail); one left out is kept. The fee is recomputed from the pages and copies. The history records each change with its before and after.',
      requestBody: { content: {
        'multipart/form-data': { schema: { type: 'object', properties: { scan: { type: 'string', format: 'binary' }, ...resubmitEdit } } },
        'application/json': { schema: { type: 'object', properties: resubmitEdit } },
      } },
      responses: action,
    } },
    '/dossiers/{code}/cancel': { post: { parameters: [code, idem], summary: 'Cancel a returned dossier with a reason (creator)', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } }, responses: action } },
    '/dossiers/{code}/sign': { post: {
      parameters: [code, idem], summary: "Leader's digital signature on the attestation page (signer)",
      description: "Signs with the leader's certificate in use (an uploaded PKCS#12, the remote signing service, or in demo mode the test CA's), or with `certificate`, one of the leader's own (an uploaded personal certificate that can sign, or the remote service's). The history and the register entry name the certificate that signed (SHA-256).",
      requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: {
        certificate: { type: 'string', pattern: '^[0-9A-Fa-f:]{64,95}$', description: "SHA-256 fingerprint (hex) of one of the leader's certificates (GET /certificates); not the leader's: 422 validation; waiting for an administrator's approval or expired: 422 certificate_refused" },
        placement,
      } } } } },
      responses: action,
    } },
    '/dossiers/{code}/sign/prepare': signPrepare(errors),
    '/dossiers/{code}/sign/complete': signComplete(errors),
    '/dossiers/{code}/seal': { post: { parameters: [code, idem], summary: 'Allocate the year\'s next certification number and apply the agency seal (sealer); registerBookId is the book that takes the year\'s next number (another is refused with 400)', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['registerBookId'], properties: { registerBookId: { type: 'integer' } } } } } }, responses: action } },
    '/dossiers/{code}/deliver': { post: { parameters: [code, idem], summary: 'Complete and send the e-copy by e-mail and to the portal inbox (sealer)', responses: action } },
    '/dossiers/{code}/resend': { post: { parameters: [code, idem], summary: 'Re-send the e-copy by e-mail, optionally to a corrected address (sealer)', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } } } }, responses: action } },
  };
};


// OpenAPI fragment of the public verification routes (api/verification/json.ts), spread into api/openapi.ts.
const error = { $ref: '#/components/schemas/Error' };
const json = (schema: unknown) => ({ 'application/json': { schema } });

const signer = {
  type: 'object',
  properties: {
    role: { type: 'string', enum: ['leader', 'agency'], description: "leader: the leader's signature; agency: the agency's digital seal" },
    name: { type: 'string', description: "The leader's full name, or the agency's name" },
    title: { type: 'string', nullable: true, description: "The leader's title (null for the seal)" },
    signedAt: { type: 'string', format: 'date-time' },
  },
};

const revocation = { $ref: '#/components/schemas/VerifiedRevocation' };

const timestamp = {
  type: 'object',
  required: ['time', 'authority', 'trusted', 'intact', 'imprintMatches', 'revocation'],
  properties: {
    time: { type: 'string', format: 'date-time', description: "The token's genTime" },
    authority: { type: 'string', nullable: true, description: "CN (else O) of the time-stamping authority's certificate" },
    trusted: { type: 'boolean', description: "The TSA's certificate chains to a trust anchor (TRUST_ANCHORS; in demo mode also the system's test CA)" },
    intact: { type: 'boolean', description: "The token's imprint matches and its signature verifies with the TSA's certificate" },
    imprintMatches: { type: 'boolean', description: "The token's message imprint equals the hash of what it stamps (the signature value; for a document timestamp, the file's byte ranges)" },
    revocation: { ...revocation, description: "The TSA certificate's revocation status at the token's time" },
  },
};

export const verifyOpenApiSchemas = {
  VerifiedRevocation: {
    type: 'object',
    description: "A certificate's revocation status at the signature's time, judged from the validation data the file carries (DSS: OCSP responses and CRLs, each checked: for this certificate's serial and issuer, signed by the issuer or its delegated responder, a 'good' answer made at or after that time); or, when the server is configured to (VERIFY_REVOCATION_ONLINE=on) and the file has none, from the issuer's services within seconds",
    required: ['status', 'at', 'source', 'online', 'evidenceTime', 'revokedAt', 'revokedAfterSigning', 'reason'],
    properties: {
      status: { type: 'string', enum: ['good', 'revoked', 'unknown'], description: 'good: not revoked at that time; revoked: see revokedAt and revokedAfterSigning; unknown: no usable data (see reason)' },
      at: { type: 'string', format: 'date-time', nullable: true, description: "The time judged at: the signature's timestamp (a document timestamp's own time), else the signing time the signer claims" },
      source: { type: 'string', nullable: true, enum: ['ocsp', 'crl', null], description: 'What said so' },
      online: { type: 'boolean', description: 'Looked up at the issuer during this verification (the file carried no data); only for certificates that chain to a trust anchor' },
      evidenceTime: { type: 'string', format: 'date-time', nullable: true, description: "The OCSP response's or CRL's thisUpdate (for an online look-up: when it was asked)" },
      revokedAt: { type: 'string', format: 'date-time', nullable: true, description: 'The revocation time the issuer gives' },
      revokedAfterSigning: { type: 'boolean', nullable: true, description: 'Revoked, but after `at`: the signature, made and timestamped before, stays valid. false: revoked before it signed (not genuine)' },
      reason: { type: 'string', nullable: true, description: 'Why the status is unknown, in Vietnamese' },
    },
  },
  VerifiedCopy: {
    type: 'object',
    description: 'Only what is printed on the e-copy; nothing about the applicant. Certification details and signers are null/empty unless the dossier is completed.',
    required: ['code', 'genuine', 'status', 'agency', 'documentType', 'certificationNumber', 'certifiedAt', 'registerBook', 'signers'],
    properties: {
      code: { type: 'string', example: 'G22.29-250620-010009' },
      genuine: { type: 'boolean', description: 'A completed dossier of this system with a sealed e-copy' },
      status: { $ref: '#/components/schemas/Status' },
      statusLabel: { type: 'string', example: 'Hoàn thành' },
      agency: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
      documentType: { type: 'string', example: 'Giấy khai sinh' },
      certificationNumber: { type: 'string', nullable: true, example: '12/ĐT' },
      certifiedAt: { type: 'string', format: 'date-time', nullable: true, description: 'When the agency seal was applied' },
      registerBook: { type: 'string', nullable: true, example: '01/2026/ĐT' },
      signers: { type: 'array', items: signer },
    },
  },
  VerifiedSignature: {
    type: 'object',
    properties: {
      field: { type: 'string', nullable: true, description: 'ChuKyLanhDao (leader) or DauCoQuan (agency seal)' },
      signerCommonName: { type: 'string', nullable: true, description: "CN of the signer's certificate" },
      signingTime: { type: 'string', format: 'date-time', nullable: true },
      valid: { type: 'boolean', description: 'ByteRange as expected, messageDigest equals the hash of the signed ranges, and the signature over the signed attributes verifies with the signer certificate' },
      coversWholeDocument: { type: 'boolean' },
      chainsToTrustedCa: { type: 'boolean', description: "The signer certificate chains to the system's CA" },
      problems: { type: 'array', items: { type: 'string' }, description: 'What is wrong, in Vietnamese' },
      role: { type: 'string', nullable: true, enum: ['leader', 'seal', 'documentTimestamp', null], description: "leader: the leader's signature; seal: the agency's digital seal; documentTimestamp: a document timestamp (ETSI.RFC3161) added for long-term validation; null: another signature" },
      signer: { type: 'string', nullable: true, description: "CN of the signer's certificate (of the TSA's, for a document timestamp)" },
      intact: { type: 'boolean', description: 'Same as valid: the signed bytes are unchanged and the signature verifies' },
      trusted: { type: 'boolean', description: "The certificate chains to a trust anchor (TRUST_ANCHORS; in demo mode also the system's test CA). For a document timestamp: its TSA's certificate (not needed for genuine)" },
      revocation: { ...revocation, description: "The signer's (for a document timestamp, the TSA's) certificate's revocation status at the signature's timestamped time" },
      coverage: { type: 'string', enum: ['entireFile', 'entireRevision', 'partial'], description: 'What the signature covers, as validators report it: entireFile; entireRevision: its revision, with only allowed updates after it (later signatures, then long-term-validation updates: a DSS, document timestamps); partial: disallowed changes after it, or a ByteRange that no longer matches the file (re-saved)' },
      uncoveredBytes: { type: 'integer', description: 'Bytes of the file the signature does not cover (after its revision; the whole file when its ByteRange is broken)' },
      timestamp: { ...timestamp, nullable: true, description: "The RFC 3161 signature-time-stamp (for a document timestamp: its own token's time and TSA)" },
      level: { type: 'string', nullable: true, enum: ['B-B', 'B-T', 'B-LT', 'B-LTA', null], description: 'PAdES baseline level: B-T with an intact signature timestamp, B-LT when a DSS was added after it (its content is not checked here), B-LTA when a valid document timestamp covers that DSS; null for a document timestamp or a non-PAdES signature' },
    },
  },
  VerifiedUpload: {
    type: 'object',
    required: ['genuine', 'identical', 'signatures', 'dossier'],
    properties: {
      genuine: { type: 'boolean', description: 'containsIssuedRevision AND intact AND the dossier is completed' },
      identical: { type: 'boolean', description: 'Byte for byte the delivered e-copy (SHA-256 equal)' },
      containsIssuedRevision: { type: 'boolean', description: 'The file starts with the delivered e-copy: identical, or the e-copy with long-term-validation updates appended' },
      intact: { type: 'boolean', description: "The leader's signature and the seal are present and valid and chain to the system's CA; after the seal only long-term-validation updates (a DSS, valid document timestamps)" },
      matchedBy: { type: 'string', nullable: true, enum: ['file', 'issuedRevision', 'details', null], description: "file: by the file's SHA-256; issuedRevision: by the SHA-256 of the file up to the seal's revision (updates appended after it); details: by the agency, certification number and register book its seal carries" },
      sha256: { type: 'string' },
      size: { type: 'integer' },
      modifiedAfterLastSignature: { type: 'boolean', description: 'Something other than long-term-validation updates was added after the last signature' },
      ltvUpdates: { type: 'integer', description: 'Incremental updates after the seal that only add validation data (DSS) or document timestamps' },
      level: { type: 'string', nullable: true, enum: ['B-B', 'B-T', 'B-LT', 'B-LTA', null], description: "The seal's PAdES baseline level" },
      timestamp: { ...timestamp, nullable: true, description: "The seal's signature timestamp, if any: time, authority, trusted, imprint, revocation" },
      reasons: { type: 'array', items: { type: 'string' }, description: 'Why it is not genuine, in Vietnamese' },
      signatures: { type: 'array', items: { $ref: '#/components/schemas/VerifiedSignature' } },
      dossier: { allOf: [{ $ref: '#/components/schemas/VerifiedCopy' }], nullable: true },
    },
  },
};

const throttled = { description: 'Too many look-ups from this address (per minute); see Retry-After', content: json(error) };

export const verifyOpenApiPaths = {
  '/verify/{dossierCode}': {
    get: {
      security: [],
      summary: 'Public: is there a genuine e-copy with this dossier code? (no token)',
      description: 'Shows only what the copy prints (agency, document type, certification number and date, register book, the leader and the agency seal). A dossier that is not completed answers genuine:false. Rate-limited per address.',
      parameters: [{ name: 'dossierCode', in: 'path', required: true, schema: { type: 'string' }, example: 'G22.29-250620-010009' }],
      responses: {
        200: { description: 'The dossier exists', content: json({ $ref: '#/components/schemas/VerifiedCopy' }) },
        404: { description: 'No such code (unknown or forged): {error: not_found, message}', content: json(error) },
        429: throttled,
      },
    },
  },
  '/verify': {
    post: {
      security: [],
      summary: 'Public: verify an uploaded e-copy PDF on the server (no token)',
      description: 'Finds the dossier by the file\'s SHA-256 (else by the certification details its seal carries), says whether the file is byte-identical to the delivered e-copy or contains it (long-term-validation updates appended: still genuine), and checks every signature and document timestamp (ByteRange, digest, CMS signature, RFC 3161 timestamps, chain to a trust anchor, revocation at the timestamped time from the file\'s DSS, what each covers); a certificate revoked before it signed makes the file not genuine, one revoked after it does not; a re-saved file is said to be so. A tampered PDF is a 200 answer with genuine:false, not an error. Nothing uploaded is kept.',
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'PDF, at most 30 MB' } } } } } },
      responses: {
        200: { description: 'The verdict', content: json({ $ref: '#/components/schemas/VerifiedUpload' }) },
        400: { description: 'Not multipart, no file, or not a PDF (bad_file)', content: json(error) },
        413: { description: 'Over 30 MB (refused while streaming)', content: json(error) },
        429: throttled,
      },
    },
  },
};

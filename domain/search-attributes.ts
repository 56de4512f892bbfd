// The names of the dossier workflow's custom search attributes (all Keyword), so that the Temporal Web UI (and
// `temporal workflow list --query`) finds dossiers by code, agency and status, e.g. `AgencyCode="H01" AND
// DossierStatus="awaiting_seal"`. workflows/search-attributes.ts makes them typed keys; lib/search-attributes.ts
// registers them. They hold codes only, never applicant data: search attributes are not encrypted.
export const SEARCH_ATTRIBUTE_NAMES = { dossierCode: 'DossierCode', agencyCode: 'AgencyCode', dossierStatus: 'DossierStatus' } as const;

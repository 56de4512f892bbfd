"""An independent judge of our PDFs: pyHanko (not our code) validates every signature and document timestamp of
a file and prints one JSON object, so the tests can assert what an auditor's validator would say.

usage: pades-judge.py --trust CA.pem [--trust CA2.pem ...] [--ltv] [--ades] [--allow-fetching] FILE.pdf
(--ltv adds per signature and document timestamp `ltv`: 'ok' or why not, validating offline from the DSS with
hard-fail revocation; --ades adds per signature `ades`: pyHanko's AdES long-term validation (ETSI EN 319 102-1
§5.6.3, the document timestamps as evidence record), offline, revocation information required: 'PASSED' or the
indication and why)
"""
import argparse
import hashlib
import asyncio
import json
import logging
import sys

from asn1crypto import cms
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec, RevinfoOnlineFetchingRule, RevocationInfoGatheringSpec, SignatureValidationSpec
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy, FreshnessReqType
from pyhanko_certvalidator.registry import SimpleTrustManager


def name_of(cert):
    try:
        return cert.subject.native.get('common_name')
    except Exception:  # pragma: no cover - a judge reports, it does not crash
        return None


def signed_attr_types(sig):
    try:
        attrs = sig.signer_info['signed_attrs']
        return [a['type'].native for a in attrs]
    except Exception:
        return []


def unsigned_attr_types(sig):
    try:
        attrs = sig.signer_info['unsigned_attrs']
        return [] if attrs.native is None else [a['type'].native for a in attrs]
    except Exception:
        return []


def level_of(entry, has_dss, later_doc_ts):
    """The PAdES baseline level the signature reaches, from what pyHanko found (ETSI EN 319 142-1)."""
    if entry['subFilter'] != '/ETSI.CAdES.detached' or 'signing_certificate_v2' not in entry['signedAttributes'] \
            or 'signing_time' in entry['signedAttributes']:
        return 'none'
    level = 'B-B'
    if entry.get('timestamp') and entry['timestamp']['valid'] and entry['timestamp']['intact']:
        level = 'B-T'
        if has_dss:
            level = 'B-LT'
            if later_doc_ts:
                level = 'B-LTA'
    return level


def ltv_verdict(reader, sig, roots):
    """'ok' when the signature and its timestamp validate with no fetching and revocation checking in hard-fail
    mode, fed only by the file's DSS (what PAdES B-LT promises: everything a validator needs is in the file),
    else why not. (pyHanko 0.38 dropped its validate_pdf_ltv_signature; this is the check it made at its core.)"""
    try:
        kwargs = {'trust_roots': roots, 'allow_fetching': False, 'revocation_mode': 'hard-fail'}
        vc = DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
        tvc = DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
        st = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=tvc)
        return 'ok' if st.bottom_line and st.timestamp_validity is not None and st.timestamp_validity.trusted else f'not valid: {st.summary()}'
    except Exception as e:  # a refusal is a finding
        return f'{type(e).__name__}: {e}'


def timestamp_ltv_verdict(reader, sig, roots):
    """The same offline hard-fail check for a document timestamp: its TSA's chain and revocation data from the DSS."""
    try:
        kwargs = {'trust_roots': roots, 'allow_fetching': False, 'revocation_mode': 'hard-fail'}
        st = validate_pdf_timestamp(sig, validation_context=DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs))
        return 'ok' if st.intact and st.valid and st.trusted else f'not valid: {st.summary()}'
    except Exception as e:
        return f'{type(e).__name__}: {e}'


def ades_verdict(sig, roots):
    """pyHanko's AdES-LTA validation (what `pyhanko sign adesverify` runs), nothing fetched, revocation data required."""
    try:
        policy = CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=roots),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO, freshness=None, freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION),
        )
        gathering = RevocationInfoGatheringSpec(online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)  # the file alone
        spec = PdfSignatureValidationSpec(
            signature_validation_spec=SignatureValidationSpec(cert_validation_policy=policy, revinfo_gathering_policy=gathering),
            diff_policy=DEFAULT_DIFF_POLICY,
        )
        r = asyncio.run(ades_lta_validation(sig, spec))
        ind = r.ades_subindic
        return 'PASSED' if ind.name == 'OK' and ind.status.name == 'PASSED' else f'{ind.status.name}/{ind.name}: {r.failure_msg}'
    except Exception as e:
        return f'{type(e).__name__}: {e}'


def main():
    logging.disable(logging.WARNING)  # pyHanko logs each finding; the JSON says them
    ap = argparse.ArgumentParser()
    ap.add_argument('--trust', action='append', default=[])
    ap.add_argument('--allow-fetching', action='store_true')
    ap.add_argument('--ltv', action='store_true', help='also validate each signature offline with hard-fail revocation checks fed only by the DSS')
    ap.add_argument('--ades', action='store_true', help="also run pyHanko's AdES-LTA validation per signature, offline")
    ap.add_argument('file')
    args = ap.parse_args()
    roots = [c for path in args.trust for c in load_certs_from_pemder([path])]
    out = {'signatures': []}
    with open(args.file, 'rb') as f:
        reader = PdfFileReader(f, strict=False)
        dss = reader.root.get('/DSS')
        if dss is not None:
            dss = dss.get_object()
            count = lambda key: len(dss[key].get_object()) if key in dss else 0
            out['dss'] = {'certs': count('/Certs'), 'ocsps': count('/OCSPs'), 'crls': count('/CRLs'), 'vri': count('/VRI')}
            vri_keys = set(dss['/VRI'].get_object().keys()) if '/VRI' in dss else set()
        else:
            out['dss'] = None
            vri_keys = set()
        sigs = reader.embedded_signatures
        for i, sig in enumerate(sigs):
            vc = ValidationContext(trust_roots=roots, allow_fetching=args.allow_fetching)
            entry = {
                'field': sig.field_name,
                'type': sig.sig_object_type[1:] if sig.sig_object_type else None,
                'subFilter': str(sig.sig_object.get('/SubFilter')),
                'signedAttributes': signed_attr_types(sig),
                'unsignedAttributes': unsigned_attr_types(sig),
                'mdpLevel': sig.docmdp_level.value if sig.docmdp_level is not None else None,
                'fieldLock': None if sig.fieldmdp is None else sig.fieldmdp.action.value,
                # does the DSS hold a VRI entry (the validation data gathered) for this signature or timestamp?
                'vri': '/' + hashlib.sha1(bytes(sig.sig_object['/Contents'])).hexdigest().upper() in vri_keys,
            }
            try:
                if sig.sig_object_type == '/DocTimeStamp':
                    st = validate_pdf_timestamp(sig, validation_context=vc)
                else:
                    st = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
                entry.update({
                    'intact': bool(st.intact), 'valid': bool(st.valid), 'trusted': bool(st.trusted),
                    'revoked': bool(getattr(st, 'revoked', False)),
                    'coverage': st.coverage.name if st.coverage else None,
                    'modificationLevel': st.modification_level.name if st.modification_level else None,
                    'docmdpOk': getattr(st, 'docmdp_ok', None),
                    # a document timestamp's status has no bottom line: intact, valid and trusted is its verdict
                    'bottomLine': bool(st.bottom_line) if hasattr(st, 'bottom_line') else bool(st.intact and st.valid and st.trusted),
                    'signer': name_of(st.signing_cert),
                })
                ts = getattr(st, 'timestamp_validity', None)
                entry['timestamp'] = None if ts is None else {
                    'intact': bool(ts.intact), 'valid': bool(ts.valid), 'trusted': bool(ts.trusted),
                    'time': ts.timestamp.isoformat(), 'authority': name_of(ts.signing_cert),
                }
                if sig.sig_object_type == '/DocTimeStamp':
                    entry['time'] = st.timestamp.isoformat()
                    # B-LTA needs a document timestamp over the validation data: was the DSS in what it signs?
                    entry['coversDss'] = '/DSS' in reader.get_historical_root(sig.signed_revision)
                    if args.ltv:
                        entry['ltv'] = timestamp_ltv_verdict(reader, sig, roots)
                else:
                    if args.ltv:
                        entry['ltv'] = ltv_verdict(reader, sig, roots)
                    if args.ades:
                        entry['ades'] = ades_verdict(sig, roots)
            except Exception as e:  # a broken signature is a finding, not a crash of the judge
                entry.update({'error': f'{type(e).__name__}: {e}', 'intact': False, 'valid': False, 'trusted': False, 'bottomLine': False})
            out['signatures'].append(entry)
        for i, entry in enumerate(out['signatures']):
            if entry['type'] == 'DocTimeStamp':
                continue
            later = any(e['type'] == 'DocTimeStamp' and e.get('bottomLine') and e.get('coversDss') for e in out['signatures'][i + 1:])
            entry['level'] = level_of(entry, out['dss'] is not None, later)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()

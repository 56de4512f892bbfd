// The EU DSS validator as a test judge: validates a batch of PDFs (one JVM start for many) and prints, per
// signature and per document timestamp, what DSS says: format, indication, messages, and the PDF modifications
// and locks (DocMDP, FieldMDP, signature-field lock) it found in the diagnostic data. Called by lib/testing/dss.ts.
//
// DSS's default policy only warns of changes a DocMDP, FieldMDP or /Lock forbids; each verdict is also given under
// that policy with those three checks made FAIL ("locksEnforced"), from the same diagnostic data.
//
// Input (stdin): a JSON array of {"pdf": path, "trust": [PEM or DER paths], "validationTime": ISO-8601 or absent}.
// Output (stdout): a JSON array, one entry per request, in order: {"pdf", "signatures": [...], "timestamps": [...]}
// or {"pdf", "error"} when DSS could not validate that file at all.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.europa.esig.dss.alert.SilentOnStatusAlert;
import eu.europa.esig.dss.diagnostic.AbstractSignatureWrapper;
import eu.europa.esig.dss.diagnostic.DiagnosticData;
import eu.europa.esig.dss.diagnostic.SignatureWrapper;
import eu.europa.esig.dss.diagnostic.TimestampWrapper;
import eu.europa.esig.dss.diagnostic.jaxb.XmlObjectModification;
import eu.europa.esig.dss.diagnostic.jaxb.XmlPDFLockDictionary;
import eu.europa.esig.dss.diagnostic.jaxb.XmlSignatureScope;
import eu.europa.esig.dss.enumerations.TimestampType;
import eu.europa.esig.dss.jaxb.object.Message;
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.service.crl.OnlineCRLSource;
import eu.europa.esig.dss.service.http.commons.CommonsDataLoader;
import eu.europa.esig.dss.service.http.commons.OCSPDataLoader;
import eu.europa.esig.dss.service.ocsp.OnlineOCSPSource;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.spi.DSSUtils;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.spi.x509.aia.DefaultAIASource;
import eu.europa.esig.dss.model.policy.ValidationPolicy;
import eu.europa.esig.dss.policy.ValidationPolicyFacade;
import eu.europa.esig.dss.validation.SignedDocumentValidator;
import eu.europa.esig.dss.validation.executor.signature.DefaultSignatureProcessExecutor;
import eu.europa.esig.dss.validation.reports.Reports;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;

public final class DssJudge {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The trust services in the tests answer on loopback at once; a hanging one must not stall the batch. */
  private static final int TIMEOUT_MS = 5_000;

  private static ValidationPolicy locksEnforced;

  public static void main(String[] args) throws Exception {
    JsonNode requests = JSON.readTree(System.in);
    locksEnforced = locksEnforcedPolicy();
    ArrayNode out = JSON.createArrayNode();
    for (JsonNode request : requests) {
      String pdf = request.get("pdf").asText();
      try {
        out.add(judge(pdf, request.path("trust"), request.hasNonNull("validationTime") ? Date.from(Instant.parse(request.get("validationTime").asText())) : null));
      } catch (Exception e) {
        out.add(JSON.createObjectNode().put("pdf", pdf).put("error", e.toString()));
      }
    }
    System.out.println(JSON.writeValueAsString(out));
  }

  /** DSS's default policy (policy/constraint.xml in dss-policy-jaxb) with the DocMDP, FieldMDP and SigFieldLock checks at FAIL. */
  private static ValidationPolicy locksEnforcedPolicy() throws Exception {
    String xml;
    try (InputStream in = DssJudge.class.getClassLoader().getResourceAsStream("policy/constraint.xml")) {
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String check : List.of("DocMDP", "FieldMDP", "SigFieldLock")) {
      String warn = "<" + check + " Level=\"WARN\" />";
      if (!xml.contains(warn)) throw new IllegalStateException("DSS's default policy has no " + warn);
      xml = xml.replace(warn, "<" + check + " Level=\"FAIL\" />");
    }
    return ValidationPolicyFacade.newFacade().getValidationPolicy(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static CommonCertificateVerifier verifier(JsonNode trust) {
    CommonTrustedCertificateSource anchors = new CommonTrustedCertificateSource();
    for (JsonNode path : trust) anchors.addCertificate(DSSUtils.loadCertificate(new File(path.asText())));
    CommonsDataLoader http = new CommonsDataLoader();
    OCSPDataLoader ocspHttp = new OCSPDataLoader();
    for (CommonsDataLoader l : List.of(http, ocspHttp)) {
      l.setTimeoutConnection(TIMEOUT_MS);
      l.setTimeoutConnectionRequest(TIMEOUT_MS);
      l.setTimeoutResponse(TIMEOUT_MS);
      l.setTimeoutSocket(TIMEOUT_MS);
    }
    CommonCertificateVerifier cv = new CommonCertificateVerifier();
    cv.setTrustedCertSources(anchors);
    cv.setOcspSource(new OnlineOCSPSource(ocspHttp));
    cv.setCrlSource(new OnlineCRLSource(http));
    cv.setAIASource(new DefaultAIASource(http));
    // Validation only: what is missing shows in the reports, not as an exception.
    cv.setAlertOnMissingRevocationData(new SilentOnStatusAlert());
    cv.setAlertOnUncoveredPOE(new SilentOnStatusAlert());
    cv.setAlertOnRevokedCertificate(new SilentOnStatusAlert());
    cv.setAlertOnInvalidTimestamp(new SilentOnStatusAlert());
    cv.setAlertOnNoRevocationAfterBestSignatureTime(new SilentOnStatusAlert());
    cv.setAlertOnExpiredCertificate(new SilentOnStatusAlert());
    return cv;
  }

  private static ObjectNode judge(String pdf, JsonNode trust, Date validationTime) {
    File file = new File(pdf);
    SignedDocumentValidator validator = SignedDocumentValidator.fromDocument(new FileDocument(file));
    validator.setCertificateVerifier(verifier(trust));
    if (validationTime != null) validator.setValidationTime(validationTime);
    Reports reports = validator.validateDocument();
    SimpleReport simple = reports.getSimpleReport();
    DiagnosticData diagnostic = reports.getDiagnosticData();
    DefaultSignatureProcessExecutor again = new DefaultSignatureProcessExecutor();
    again.setDiagnosticData(reports.getDiagnosticDataJaxb());
    again.setValidationPolicy(locksEnforced);
    again.setCurrentTime(diagnostic.getValidationDate());
    SimpleReport strict = again.execute().getSimpleReport();
    long length = file.length();

    ObjectNode result = JSON.createObjectNode().put("pdf", pdf);
    ArrayNode signatures = result.putArray("signatures");
    for (SignatureWrapper s : diagnostic.getSignatures()) {
      ObjectNode o = signatures.addObject();
      o.put("id", s.getId());
      verdict(o, simple, s.getId());
      verdict(o.putObject("locksEnforced"), strict, s.getId());
      o.put("format", String.valueOf(simple.getSignatureFormat(s.getId())));
      o.put("signedBy", simple.getSignedBy(s.getId()));
      o.put("bestSignatureTime", iso(simple.getBestSignatureTime(s.getId())));
      o.put("claimedSigningTime", iso(s.getClaimedSigningTime()));
      ArrayNode timestamps = o.putArray("signatureTimestamps");
      for (TimestampWrapper t : s.getSignatureTimestamps()) {
        ObjectNode ts = timestamps.addObject().put("id", t.getId()).put("type", String.valueOf(t.getType()));
        ts.put("productionTime", iso(t.getProductionTime()));
        ts.put("producedBy", simple.getProducedBy(t.getId()));
        ts.put("indication", String.valueOf(simple.getIndication(t.getId())));
      }
      scopes(o, s.getSignatureScopes());
      pdfRevision(o, s, length);
    }
    ArrayNode timestamps = result.putArray("timestamps");
    for (TimestampWrapper t : diagnostic.getTimestampsByType(TimestampType.DOCUMENT_TIMESTAMP)) {
      ObjectNode o = timestamps.addObject();
      o.put("id", t.getId());
      o.put("type", String.valueOf(t.getType()));
      verdict(o, simple, t.getId());
      verdict(o.putObject("locksEnforced"), strict, t.getId());
      o.put("producedBy", simple.getProducedBy(t.getId()));
      o.put("productionTime", iso(t.getProductionTime()));
      o.put("messageImprintIntact", t.isMessageImprintDataIntact());
      scopes(o, t.getTimestampScopes());
      pdfRevision(o, t, length);
    }
    return result;
  }

  private static void verdict(ObjectNode o, SimpleReport simple, String id) {
    o.put("indication", String.valueOf(simple.getIndication(id)));
    o.put("subIndication", simple.getSubIndication(id) == null ? null : simple.getSubIndication(id).toString());
    messages(o.putArray("errors"), simple.getAdESValidationErrors(id));
    messages(o.putArray("warnings"), simple.getAdESValidationWarnings(id));
    messages(o.putArray("infos"), simple.getAdESValidationInfo(id));
  }

  private static void messages(ArrayNode into, Collection<Message> messages) {
    if (messages != null) for (Message m : messages) into.add(m.getValue());
  }

  private static void scopes(ObjectNode o, List<XmlSignatureScope> scopes) {
    ArrayNode into = o.putArray("scopes");
    if (scopes != null) for (XmlSignatureScope sc : scopes) into.add(sc.getScope() + ": " + sc.getName() + (sc.getDescription() == null ? "" : " (" + sc.getDescription() + ")"));
  }

  /** The PDF dictionary facts and DSS's modification detection (diagnostic data) for one signature or timestamp. */
  private static void pdfRevision(ObjectNode o, AbstractSignatureWrapper s, long fileLength) {
    if (s.getPDFRevision() == null) return;
    List<String> fields = s.getSignatureFieldNames();
    o.put("field", fields == null || fields.isEmpty() ? null : fields.get(0));
    o.put("subFilter", s.getSubFilter());
    List<BigInteger> br = s.getSignatureByteRange();
    ArrayNode byteRange = o.putArray("byteRange");
    if (br != null) for (BigInteger b : br) byteRange.add(b.longValue());
    o.put("byteRangeValid", s.isSignatureByteRangeValid());
    o.put("coversWholeDocument", br != null && br.size() == 4 && br.get(2).longValue() + br.get(3).longValue() == fileLength);
    o.put("docMdpPermission", s.getDocMDPPermissions() == null ? null : s.getDocMDPPermissions().toString());
    lock(o, "fieldMdp", s.getFieldMDP());
    lock(o, "sigFieldLock", s.getSigFieldLock());
    ObjectNode m = o.putObject("modifications");
    m.put("detected", s.arePdfModificationsDetected());
    pages(m, "visualDifferencePages", s.getPdfVisualDifferenceConcernedPages());
    pages(m, "pageDifferencePages", s.getPdfPageDifferenceConcernedPages());
    pages(m, "annotationOverlapPages", s.getPdfAnnotationsOverlapConcernedPages());
    m.put("objectModificationsDetected", s.arePdfObjectModificationsDetected());
    objects(m, "extension", s.getPdfExtensionChanges());
    objects(m, "signatureOrFormFill", s.getPdfSignatureOrFormFillChanges());
    objects(m, "annotation", s.getPdfAnnotationChanges());
    objects(m, "undefined", s.getPdfUndefinedChanges());
    ArrayNode names = m.putArray("modifiedFieldNames");
    if (s.getModifiedFieldNames() != null) for (String n : s.getModifiedFieldNames()) names.add(n);
  }

  private static void lock(ObjectNode o, String name, XmlPDFLockDictionary lock) {
    if (lock == null) { o.putNull(name); return; }
    ObjectNode l = o.putObject(name);
    l.put("action", String.valueOf(lock.getAction()));
    l.put("permissions", lock.getPermissions() == null ? null : lock.getPermissions().toString());
    ArrayNode f = l.putArray("fields");
    if (lock.getFields() != null) for (String n : lock.getFields()) f.add(n);
  }

  private static void pages(ObjectNode o, String name, List<BigInteger> pages) {
    ArrayNode into = o.putArray(name);
    if (pages != null) for (BigInteger p : pages) into.add(p.intValue());
  }

  /** Each changed object as "action type field" (e.g. "CREATION /Annot", "MODIFICATION /Contents"), as DSS names them. */
  private static void objects(ObjectNode o, String name, List<XmlObjectModification> changes) {
    ArrayNode into = o.putArray(name);
    if (changes != null) for (XmlObjectModification c : changes) {
      into.add(c.getAction() + " " + c.getType() + (c.getFieldName() == null ? "" : " " + c.getFieldName()) + (c.getValue() == null ? "" : " " + c.getValue()));
    }
  }

  private static String iso(Date d) {
    return d == null ? null : d.toInstant().toString();
  }
}

// After-seal changes an attacker could append to an e-copy as an incremental update (the signed bytes stay
// intact, so a naive check still says "valid"), and the one kind of update that long-term validation adds.
// The tests show which ones the independent validators flag.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, rgb, StandardFonts } from 'pdf-lib-incremental-save';

export type Tampering = 'pageText' | 'certificationNumber' | 'annotation' | 'fieldAppearance' | 'formField' | 'dss';

export const TAMPERINGS: Record<Exclude<Tampering, 'dss'>, string> = {
  pageText: 'page text replaced (white box over the attestation, new text painted)',
  certificationNumber: 'a new certification number painted on the attestation page',
  annotation: 'an annotation added',
  fieldAppearance: "the seal's appearance replaced (another number in the stamp)",
  formField: 'a form field with a value added',
};

async function appendUpdate(pdf: Buffer, change: (doc: PDFDocument, mark: (ref: PDFRef) => void) => Promise<void> | void): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const snapshot = doc.takeSnapshot();
  await change(doc, (ref) => snapshot.markRefForSave(ref));
  return Buffer.concat([pdf, Buffer.from(await doc.saveIncremental(snapshot))]);
}

/** `pdf` with one incremental update appended that makes the given change. */
export function tamper(pdf: Buffer, kind: Tampering, dssCertsDer: Buffer[] = []): Promise<Buffer> {
  return appendUpdate(pdf, async (doc, mark) => {
    const page = doc.getPage(doc.getPageCount() - 1);
    const font = await doc.embedFont(StandardFonts.Helvetica);
    switch (kind) {
      case 'pageText':
        mark(page.ref);
        page.drawRectangle({ x: 40, y: 300, width: 500, height: 300, color: rgb(1, 1, 1) });
        page.drawText('Ban sao nay da bi sua', { x: 60, y: 450, size: 18, font });
        return;
      case 'certificationNumber':
        mark(page.ref);
        page.drawText('So chung thuc: 999/DT', { x: 320, y: 120, size: 12, font });
        return;
      case 'annotation': {
        mark(page.ref);
        const annot = doc.context.register(doc.context.obj({ Type: 'Annot', Subtype: 'Text', Rect: [100, 100, 120, 120], Contents: 'Đã hủy', F: 4 }));
        const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
        if (annots) annots.push(annot); else page.node.set(PDFName.of('Annots'), doc.context.obj([annot]));
        const raw = page.node.get(PDFName.of('Annots'));
        if (raw instanceof PDFRef) mark(raw);
        return;
      }
      case 'fieldAppearance': {
        // The seal: the last signature that is not a document timestamp (one may follow it at B-LTA).
        const form = doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict);
        const fields = form.lookup(PDFName.of('Fields'), PDFArray).asArray() as PDFRef[];
        const isSeal = (ref: PDFRef) => {
          const v = doc.context.lookup(ref, PDFDict).lookupMaybe(PDFName.of('V'), PDFDict);
          return !!v && v.get(PDFName.of('Type'))?.toString() !== '/DocTimeStamp';
        };
        const sealRef = [...fields].reverse().find(isSeal)!;
        const widget = doc.context.lookup(sealRef, PDFDict);
        const stream = doc.context.stream('BT /F1 12 Tf 4 60 Td (So chung thuc: 999/DT) Tj ET', {
          Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 200, 120], Resources: { Font: { F1: font.ref } },
        });
        widget.set(PDFName.of('AP'), doc.context.obj({ N: doc.context.register(stream) }));
        mark(sealRef);
        return;
      }
      case 'formField': {
        const form = doc.getForm();
        const field = form.createTextField('ghiChu');
        field.setText('Ban sao khong co gia tri');
        field.addToPage(page, { x: 60, y: 60, width: 200, height: 20, font });
        mark(page.ref);
        const rawForm = doc.catalog.get(PDFName.of('AcroForm'));
        if (rawForm instanceof PDFRef) mark(rawForm);
        const rawFields = doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict).get(PDFName.of('Fields'));
        if (rawFields instanceof PDFRef) mark(rawFields);
        return;
      }
      case 'dss': {
        const certs = dssCertsDer.map((der) => doc.context.register(doc.context.flateStream(der)));
        doc.catalog.set(PDFName.of('DSS'), doc.context.register(doc.context.obj({ Type: 'DSS', Certs: certs })));
        mark(doc.context.trailerInfo.Root as PDFRef);
        return;
      }
    }
  });
}

/** A citizen's PDF form with a filled text field (a declaration, say), scanned in as the original. */
export async function formScan(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const field = doc.getForm().createTextField('hoTen');
  field.setText('Nguyen Thi Thu');
  field.addToPage(page, { x: 60, y: 700, width: 300, height: 24, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The same text field given another value, appended after the seal. */
export async function changeFieldValue(pdf: Buffer): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const snapshot = doc.takeSnapshot();
  const field = doc.getForm().getTextField('hoTen');
  field.setText('Tran Van Gia');
  snapshot.markRefForSave(field.ref);
  for (const w of field.acroField.getWidgets()) { const ref = doc.context.getObjectRef(w.dict); if (ref) snapshot.markRefForSave(ref); }
  return Buffer.concat([pdf, Buffer.from(await doc.saveIncremental(snapshot))]);
}

// Reading a multipart form's first fields before any route runs, without taking the body from the route: the bytes
// read are pushed back onto the request stream (Readable.unshift, meant for parsers), so an upload route still
// streams the whole body itself (api/upload.ts). This lets the CSRF check read `_csrf` from every multipart form.
import busboy from 'busboy';
import type { Request } from 'express';

/**
 * The value of the field `name` when it comes before any file part and within the first `maxBytes`, else null
 * (also for a body that is not well-formed multipart). The request stream is left paused, as if unread.
 */
export function leadingField(req: Request, name: string, maxBytes = 64 * 1024): Promise<string | null> {
  return new Promise((resolve) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fieldSize: maxBytes, fields: 100 }, defParamCharset: 'utf8' });
    } catch {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let read = 0;
    let ended = false;
    let decided = false;
    const decide = (value: string | null) => {
      if (decided) return;
      decided = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.pause();
      if (!ended && chunks.length) req.unshift(Buffer.concat(chunks));
      bb.removeAllListeners();
      bb.on('error', () => {});
      resolve(value);
    };
    bb.on('field', (field, value) => { if (field === name) decide(value); });
    bb.on('file', (_field, stream) => { stream.resume(); decide(null); }); // the token must come before the file
    bb.on('close', () => decide(null));
    bb.on('error', () => decide(null));
    // One chunk at a time: busboy reports a complete field while it is being written, so a decision always comes
    // before the request stream could end (and the chunks can still go back onto it).
    function onData(chunk: Buffer) {
      chunks.push(chunk);
      read += chunk.length;
      req.pause();
      bb.write(chunk, () => {
        if (decided) return;
        if (read > maxBytes) decide(null);
        else req.resume();
      });
    }
    function onEnd() { ended = true; bb.end(); }
    function onError() { ended = true; decide(null); }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

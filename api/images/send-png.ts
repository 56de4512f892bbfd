// How a stored seal or signature image is sent, the same from the screens and the JSON API.
import type { NextFunction, Response } from 'express';
import type { FileStorage } from '../../activities/storage.js';
import type { ImageRecord } from './service.js';

export function sendPng(res: Response, storage: FileStorage, rec: ImageRecord, next: NextFunction) {
  res.set({
    'Content-Type': 'image/png', 'Content-Length': String(rec.size), ETag: `"${rec.sha256}"`, 'Cache-Control': 'private, no-cache',
    'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'", 'Content-Disposition': `inline; filename="${rec.kind}.png"`,
    'X-Image-Width': String(rec.width), 'X-Image-Height': String(rec.height),
  });
  storage.stream(rec.sha256).on('error', next).pipe(res);
}

// Security headers for every answer (helmet), with a strict Content-Security-Policy: scripts and styles only from
// /static (no inline script, handler or style anywhere in views/), and no caching of what the app answers with
// (pages, fragments, JSON and files carry personal data; only /static may be cached).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../../lib/config.js';

export function securityHeaders(config: Config): RequestHandler {
  const production = config.mode === 'production';
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        // blob: for the preview of a chosen image before it is saved (views/static/images.js)
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // the PDF preview on a dossier's page is an <object> of the app's own /ho-so/{code}/pdf
        objectSrc: ["'self'"],
        frameSrc: ["'self'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    // HTTPS is the proxy's business in production; over plain http (demo, tests) HSTS would only mislead.
    strictTransportSecurity: production ? { maxAge: 180 * 86400, includeSubDomains: false } : false,
  });
}

/** `Cache-Control: no-store` unless a route says otherwise (mounted after /static, which keeps its own caching). */
export function noStore(_req: Request, res: Response, next: NextFunction) {
  res.set('Cache-Control', 'no-store');
  next();
}

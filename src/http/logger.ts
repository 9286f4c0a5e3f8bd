import pino from 'pino';
import type { Logger } from 'pino';
import { requestSerializer } from './redact.js';

/**
 * JSON logs that never hold a CNIC, a body or a secret: requests are reduced to
 * method, masked URL and address, and sensitive headers are censored wherever
 * they appear.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    serializers: {
      req: requestSerializer,
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
    redact: {
      paths: ['headers.authorization', 'headers["rabta-subject"]', 'headers.signature', 'token', 'privateKeyPem', '*.token', '*.privateKeyPem'],
      censor: '[redacted]',
    },
  });
}

import type { FastifyRequest } from 'fastify';

const CNIC_IN_TEXT = /(\d{5})-?\d{5}(\d{2})-?(\d)/g;

/** Logs may show paths and queries, but a CNIC in them is masked first. */
export function maskCnicsIn(text: string): string {
  return text.replace(CNIC_IN_TEXT, '$1-*****$2-$3');
}

/** What a request log line holds: no headers, no body, no CNIC. */
export function requestSerializer(request: FastifyRequest) {
  return { method: request.method, url: maskCnicsIn(request.url), remoteAddress: request.ip };
}

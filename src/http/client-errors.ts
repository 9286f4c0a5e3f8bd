import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { RabtaError, renderProblem } from '../core/index.js';
import type { ProblemCode } from '../core/index.js';

/** What Node's HTTP parser (llhttp) refuses before Fastify sees a request, mapped once to problem types. */
const PARSER_CODES: Record<string, { code: ProblemCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: { code: 'headers-too-large', detail: 'the request head is larger than the server accepts' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request-timeout', detail: 'the request did not arrive completely in time' },
  HPE_HEADERS_TIMEOUT: { code: 'request-timeout', detail: 'the request head did not arrive in time' },
  HPE_INVALID_METHOD: { code: 'method-not-implemented', detail: 'the request method is not one HTTP defines' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { code: 'malformed-request', detail: 'Content-Length and Transfer-Encoding together are ambiguous' },
  HPE_INVALID_TRANSFER_ENCODING: { code: 'malformed-request', detail: 'the Transfer-Encoding is not valid' },
  HPE_INVALID_CONTENT_LENGTH: { code: 'malformed-request', detail: 'the Content-Length is not a single valid number' },
  HPE_INVALID_HEADER_TOKEN: { code: 'malformed-request', detail: 'a header name holds a character that is not allowed (space, CR, …)' },
  HPE_LF_EXPECTED: { code: 'malformed-request', detail: 'a bare CR where CRLF was expected' },
  HPE_CR_EXPECTED: { code: 'malformed-request', detail: 'a bare LF where CRLF was expected' },
};

/**
 * Fastify's clientErrorHandler: a request the parser refused still gets an
 * RFC 9457 problem (never Fastify's default JSON), then the connection is
 * closed, since the stream can no longer be trusted to be in step.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code === undefined ? undefined : PARSER_CODES[error.code];
  const problem = new RabtaError(known?.code ?? 'malformed-request', known?.detail ?? 'the request is not valid HTTP/1.1');
  // Node's own rule: never write a second head into a response already under way.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const { status, headers, body } = renderProblem(problem);
    const head = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head.join('')}\r\n${body}`);
  }
  socket.destroySoon();
}

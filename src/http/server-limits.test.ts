import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROBLEM_BASE } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';

const postgresUrl = inject('postgresUrl');

interface Answer {
  status: number;
  contentType: string | undefined;
  problem: { type?: string; status?: number } | undefined;
}

/** Writes raw bytes (all at once, or one part per `next()` call) and collects what the server answers until it closes. */
function rawExchange(port: number): { socket: Socket; answer: Promise<Answer> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const answer = new Promise<Answer>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      let problem: Answer['problem'];
      try {
        problem = JSON.parse(body) as Answer['problem'];
      } catch {
        problem = undefined;
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), contentType: /^content-type: *(.*)$/im.exec(head)?.[1]?.trim(), problem });
    });
  });
  return { socket, answer };
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`the HTTP server’s own refusals and timeouts on ${dialect}`, () => {
    let t: TestInstance;
    let port: number;

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { env: { RABTA_REQUEST_TIMEOUT_MS: '800', RABTA_HEADERS_TIMEOUT_MS: '400' } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await t?.close();
    });

    const refusal = async (bytes: string) => {
      const { socket, answer } = rawExchange(port);
      socket.write(bytes);
      return answer;
    };
    const expectProblem = (answer: Answer, status: number, code: string) => {
      expect({ status: answer.status, contentType: answer.contentType, type: answer.problem?.type, problemStatus: answer.problem?.status }).toEqual({
        status,
        contentType: 'application/problem+json',
        type: PROBLEM_BASE + code,
        problemStatus: status,
      });
    };

    it('answers a head over 16 KiB with 431 problem+json', async () => {
      expectProblem(await refusal(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20 * 1024)}\r\n\r\n`), 431, 'headers-too-large');
    });

    it('answers an unknown method with 501 problem+json', async () => {
      expectProblem(await refusal('BREW /healthz HTTP/1.1\r\nhost: x\r\n\r\n'), 501, 'method-not-implemented');
    });

    it('answers broken framing with 400 problem+json: bare CR, space in a header name, Content-Length with Transfer-Encoding, two Content-Lengths', async () => {
      expectProblem(await refusal('GET /healthz HTTP/1.1\r\nhost: x\rx-a: b\r\n\r\n'), 400, 'malformed-request');
      expectProblem(await refusal('GET /healthz HTTP/1.1\r\nhost: x\r\nx a: b\r\n\r\n'), 400, 'malformed-request');
      expectProblem(await refusal('POST /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'), 400, 'malformed-request');
      expectProblem(await refusal('POST /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello'), 400, 'malformed-request');
    });

    it('closes a connection that trickles its body, with 408 problem+json', async () => {
      const { socket, answer } = rawExchange(port);
      socket.write('POST /citizen/otp HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n');
      // one byte at a time, for as long as the server keeps the connection
      const trickle = setInterval(() => socket.writable && socket.write('{'), 50);
      try {
        expectProblem(await answer, 408, 'request-timeout');
      } finally {
        clearInterval(trickle);
      }
    });

    it('closes a connection that trickles its head', async () => {
      const { socket, answer } = rawExchange(port);
      socket.write('GET /healthz HTTP/1.1\r\n');
      const trickle = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), 50);
      try {
        expectProblem(await answer, 408, 'request-timeout');
      } finally {
        clearInterval(trickle);
      }
    });

    it('lives through an error of the listening socket (accept failing with EMFILE under a flood)', async () => {
      expect(() => t.app.server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }))).not.toThrow();
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    });

    it('still serves a well-formed request', async () => {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    });
  });
}

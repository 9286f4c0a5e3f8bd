import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROBLEM_BASE } from '../core/index.js';
import { testDialects } from '../store/testing.js';
import { startFederation } from '../consent/testing.js';
import type { Federation } from '../consent/testing.js';
import type { CitizensTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const MINUTE = 60_000;

for (const dialect of testDialects(postgresUrl)) {
  describe(`citizen sign-in on ${dialect}`, () => {
    let f: Federation;
    let address = 0;
    /** each test speaks from its own address, so the per-address limit only bites where it is tested */
    let ip = '10.0.0.1';
    const post = async (url: string, body: unknown, remoteAddress = ip) => {
      const response = await f.t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body), remoteAddress });
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown>, headers: response.headers };
    };
    const otp = (cnic: string, remoteAddress?: string) => post('/citizen/otp', { cnic }, remoteAddress);
    const session = (cnic: string, code: string, remoteAddress?: string) => post('/citizen/session', { cnic, code }, remoteAddress);
    const problem = (r: { status: number; body: Record<string, unknown> }) => `${r.status} ${String(r.body.type).replace(PROBLEM_BASE, '')}`;
    const codeFor = (mobile: string) => f.messenger.last(mobile, 'otp')?.params.code as string;
    const otpsTo = (mobile: string) => f.messenger.sent.filter((m) => m.mobile === mobile && m.template === 'otp').length;

    beforeAll(async () => {
      f = await startFederation(dialect, postgresUrl);
    });
    afterAll(async () => f?.close());
    const nextAddress = () => {
      ip = `10.0.1.${++address}`;
    };

    it('answers the same for a registered and an unknown CNIC, and texts only the registered', async () => {
      nextAddress();
      await f.register('35202-1000001-1', '+923001000001', 'ur');
      const known = await otp('35202-1000001-1');
      const unknown = await otp('35202-1000002-2');
      expect(known.status).toBe(202);
      expect({ status: unknown.status, body: unknown.body, type: unknown.headers['content-type'], length: unknown.headers['content-length'] }).toEqual({
        status: known.status,
        body: known.body,
        type: known.headers['content-type'],
        length: known.headers['content-length'],
      });
      expect(otpsTo('+923001000001')).toBe(1);
      expect(f.messenger.sent.filter((m) => m.template === 'otp')).toHaveLength(1);
      expect(f.messenger.last('+923001000001', 'otp')).toMatchObject({ language: 'ur' });
      // Trying codes on the unknown CNIC fails exactly as a wrong code does.
      expect(problem(await session('35202-1000002-2', '123456'))).toBe('401 otp-invalid');
      expect(problem(await otp('3520-bad'))).toBe('400 subject-malformed');
    });

    it('signs in once with a code: a short session naming only the subject hash and the masked CNIC', async () => {
      nextAddress();
      const cnic = '35202-1000003-3';
      await f.register(cnic, '+923001000003', 'en');
      await otp(cnic);
      const code = codeFor('+923001000003');
      expect(code).toMatch(/^\d{6}$/);
      const signedIn = await session(cnic, code);
      expect(signedIn.status).toBe(201);
      expect(signedIn.body.cnic).toBe('35202-*****03-3');
      const token = signedIn.body.token as string;
      const claims = decodeJwt(token);
      expect(claims.sub).toBe(f.hash(cnic));
      expect(claims.cnic).toBe('35202-*****03-3');
      expect((claims.exp as number) - (claims.iat as number)).toBe(15 * 60);
      expect(JSON.stringify(claims)).not.toMatch(/1000003|3520210000033/);
      const me = await f.t.app.inject({ method: 'GET', url: '/citizen/me', headers: { authorization: `Bearer ${token}` } });
      expect(JSON.parse(me.body)).toMatchObject({ cnic: '35202-*****03-3' });
      // Single use.
      expect(problem(await session(cnic, code))).toBe('401 otp-invalid');
      // The session ends after 15 minutes; a forged one never starts.
      f.advance(16 * MINUTE);
      expect((await f.t.app.inject({ method: 'GET', url: '/citizen/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      const [h, p] = token.split('.');
      expect((await f.t.app.inject({ method: 'GET', url: '/citizen/me', headers: { authorization: `Bearer ${h}.${p}.${'A'.repeat(43)}` } })).statusCode).toBe(401);
      expect((await f.t.app.inject({ method: 'GET', url: '/citizen/consents' })).statusCode).toBe(401);
    });

    it('expires codes after five minutes', async () => {
      nextAddress();
      const cnic = '35202-1000004-4';
      await f.register(cnic, '+923001000004', 'en');
      await otp(cnic);
      const code = codeFor('+923001000004');
      f.advance(5 * MINUTE + 1000);
      expect(problem(await session(cnic, code))).toBe('401 otp-invalid');
    });

    it('allows three attempts per code, burns only that code, and never locks the CNIC', async () => {
      nextAddress();
      const cnic = '35202-1000005-5';
      await f.register(cnic, '+923001000005', 'en');
      await otp(cnic);
      const code = codeFor('+923001000005');
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < 3; i++) expect(problem(await session(cnic, wrong))).toBe('401 otp-invalid');
      // The right code, too late: the same answer as any wrong one.
      expect(problem(await session(cnic, code))).toBe('401 otp-invalid');
      // A new code works at once.
      await otp(cnic);
      expect((await session(cnic, codeFor('+923001000005'))).status).toBe(201);
    });

    it('keeps earlier codes valid when a stranger asks for new ones, and throttles per CNIC without locking out', async () => {
      nextAddress();
      const cnic = '35202-1000006-6';
      await f.register(cnic, '+923001000006', 'en');
      await otp(cnic);
      const received = codeFor('+923001000006');
      // A stranger (another address) keeps asking for codes for the same CNIC.
      expect((await otp(cnic, '10.9.9.9')).status).toBe(202);
      expect((await otp(cnic, '10.9.9.9')).status).toBe(202);
      const throttled = await otp(cnic, '10.9.9.9');
      expect(problem(throttled)).toBe('429 rate-limited');
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(otpsTo('+923001000006')).toBe(3);
      // Unknown CNICs are throttled alike, so the 429 reveals nothing.
      for (let i = 0; i < 3; i++) await otp('35202-1000007-7', '10.9.9.8');
      expect(problem(await otp('35202-1000007-7', '10.9.9.8'))).toBe('429 rate-limited');
      // The code the citizen already has still works.
      expect((await session(cnic, received)).status).toBe(201);
      f.advance(15 * MINUTE);
      expect((await otp(cnic)).status).toBe(202);
      expect(otpsTo('+923001000006')).toBe(4);
    });

    it('throttles sending per number silently, so a household’s phone cannot be flooded or probed', async () => {
      nextAddress();
      const phone = '+923001000008';
      await f.register('35202-1000008-1', phone, 'en');
      await f.register('35202-1000008-2', phone, 'en');
      const answers = [];
      for (const cnic of ['35202-1000008-1', '35202-1000008-2']) for (let i = 0; i < 3; i++) answers.push(await otp(cnic));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202]);
      expect(otpsTo(phone)).toBe(5);
    });

    it('throttles per client address', async () => {
      nextAddress();
      const statuses = [];
      for (let i = 0; i < 21; i++) statuses.push((await otp(`35202-20000${String(i).padStart(2, '0')}-1`)).status);
      expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
      expect(statuses[20]).toBe(429);
      // Another address is unaffected.
      nextAddress();
      expect((await otp('35202-2000099-1')).status).toBe(202);
    });

    it('lets parallel guesses use at most three attempts of a code', async () => {
      nextAddress();
      const cnic = '35202-1000009-9';
      await f.register(cnic, '+923001000009', 'en');
      await otp(cnic);
      const code = codeFor('+923001000009');
      // Fewer guesses than the per-CNIC sign-in limit, more than a code's attempts.
      const guesses = Array.from({ length: 8 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
      await Promise.all(guesses.map((g) => session(cnic, g)));
      const row = await f.t.platform.store.tables<CitizensTables>().selectFrom('citizen_otps').select('attempts').where('subject_hash', '=', f.hash(cnic)).executeTakeFirstOrThrow();
      expect(row.attempts).toBe(3);
      expect(problem(await session(cnic, code))).toBe('401 otp-invalid');
    });

    it('answers every failed sign-in alike: unknown CNIC, no code, wrong, expired, used up or spent code', async () => {
      nextAddress();
      const noCode = '35202-1000010-1';
      const withCodes = '35202-1000011-1';
      await f.register(noCode, '+923001000010', 'en');
      await f.register(withCodes, '+923001000011', 'en');
      const answers: Array<Awaited<ReturnType<typeof session>>> = [];
      const wrongFor = (code: string) => (code === '000000' ? '000001' : '000000');
      answers.push(await session('35202-1000012-1', '123456')); // unknown CNIC
      answers.push(await session(noCode, '123456')); // registered, never asked for a code
      await otp(withCodes);
      const code = codeFor('+923001000011');
      answers.push(await session(withCodes, wrongFor(code))); // a wrong code
      f.advance(5 * MINUTE + 1000);
      answers.push(await session(withCodes, code)); // the right code, expired
      await otp(withCodes);
      const second = codeFor('+923001000011');
      for (let i = 0; i < 3; i++) answers.push(await session(withCodes, wrongFor(second)));
      answers.push(await session(withCodes, second)); // the right code, its attempts used up
      f.advance(15 * MINUTE);
      await otp(withCodes);
      const third = codeFor('+923001000011');
      expect((await session(withCodes, third)).status).toBe(201);
      answers.push(await session(withCodes, third)); // the right code, already spent
      const shape = (r: (typeof answers)[number]) => ({ status: r.status, body: r.body, type: r.headers['content-type'], length: r.headers['content-length'] });
      expect(answers).toHaveLength(9);
      for (const answer of answers) expect(shape(answer)).toEqual(shape(answers[0]!));
      expect(problem(answers[0]!)).toBe('401 otp-invalid');
    });

    it('throttles sign-in attempts per CNIC, known or unknown, from any address', async () => {
      const cnic = '35202-1000013-1';
      await f.register(cnic, '+923001000013', 'en');
      for (const target of [cnic, '35202-1000014-1']) {
        const statuses: number[] = [];
        // Each attempt from another address: the per-CNIC limit holds across addresses.
        for (let i = 0; i < 11; i++) statuses.push((await session(target, '123456', `10.0.3.${i}`)).status);
        expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
        const throttled = await session(target, '123456', '10.0.3.99');
        expect(problem(throttled)).toBe('429 rate-limited');
        expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      }
      // The window passes; the citizen signs in.
      f.advance(15 * MINUTE);
      nextAddress();
      await otp(cnic);
      expect((await session(cnic, codeFor('+923001000013'))).status).toBe(201);
    });

    it('throttles sign-in attempts per client address', async () => {
      f.advance(60 * MINUTE);
      nextAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await session(`35202-30000${String(i).padStart(2, '0')}-1`, '123456')).status);
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses[30]).toBe(429);
      nextAddress();
      expect((await session('35202-3000099-1', '123456')).status).toBe(401);
    });

    it('never stores a code or a CNIC in clear', async () => {
      const rows = await f.t.platform.store.tables<CitizensTables>().selectFrom('citizen_otps').selectAll().execute();
      const sentCodes = f.messenger.sent.filter((m) => m.template === 'otp').map((m) => m.params.code as string);
      const dump = JSON.stringify(rows);
      for (const code of sentCodes) expect(dump).not.toContain(`"${code}"`);
      const citizens = JSON.stringify(await f.t.platform.store.tables<CitizensTables>().selectFrom('citizens').selectAll().execute());
      expect(citizens).not.toContain('3520210000033');
      expect(citizens).not.toContain('35202-1000003-3');
      expect(citizens).toContain('35202-*****03-3');
      const kept = await f.t.platform.store.tables<CitizensTables>().selectFrom('citizen_notifications').select('params').where('template', '=', 'otp').execute();
      expect(kept.length).toBeGreaterThan(0);
      for (const row of kept) expect(JSON.parse(row.params)).toEqual({ minutes: '5' });
    });
  });
}

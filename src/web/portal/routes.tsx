/** @jsxImportSource preact */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CitizenSession, NotificationView } from '../../citizens/index.js';
import type { CitizenAction } from '../../consent/index.js';
import { renderCitizenMessage } from '../../notify/index.js';
import type { CitizenTemplate, CitizenTemplateParams } from '../../notify/index.js';
import { RabtaError } from '../../core/index.js';
import type { WebCapabilities } from '../capabilities.js';
import { COOKIE, field, fields, localPath, statusOf } from '../http/frame.js';
import type { Form, WebFrame } from '../http/frame.js';
import { seal, unseal } from '../http/seal.js';
import type { Lang } from '../i18n/strings.js';
import type { PageContext } from '../layout.js';
import { strings } from '../i18n/strings.js';
import { CheckPage, CnicPage, CodePage, ConsentPage, ConsentsPage, HomePage, MessagePage, MoneyPage, NoticesPage, TrackerPage } from './pages.js';
import type { CheckResult, MoneyStatus } from './pages.js';
import { CasePage, CasesPage, COMPLAINT_MAX, FilePage } from './case-pages.js';
import type { ComplaintForm, Institutions } from './case-pages.js';
import { verifyReceipt } from '../../ledger/index.js';
import type { ReceiptDocument } from '../../ledger/index.js';

/** How long the CNIC typed on the first sign-in page is kept (sealed, in a cookie) for the second. */
const SIGN_IN_TTL_MS = 5 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTIONS: readonly CitizenAction[] = ['approve', 'reject', 'revoke'];

/** The CNIC as the API takes it, from what a person types: any digits (ASCII, Urdu, Arabic-Indic), dashes and spaces optional. */
export function typedCnic(text: string): string | undefined {
  const ascii = text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) >= 0x06f0 ? d.charCodeAt(0) - 0x06f0 : d.charCodeAt(0) - 0x0660));
  const digits = ascii.replace(/[\s\-–]/g, '');
  if (!/^\d{13}$/.test(digits)) return undefined;
  return `${digits.slice(0, 5)}-${digits.slice(5, 12)}-${digits.slice(12)}`;
}

const asciiCode = (text: string) => text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) >= 0x06f0 ? d.charCodeAt(0) - 0x06f0 : d.charCodeAt(0) - 0x0660)).replace(/\s/g, '');

/**
 * The citizen portal: sign in with CNIC and the SMS code, then one page per
 * question. Every page is server-rendered, every change a real form with
 * POST/redirect/GET, so it all works with JavaScript off. The CNIC travels
 * only in a POST body and, between the two sign-in pages, sealed in a cookie;
 * URLs carry only ids of records and the name of a message to show.
 */
export function portalRoutes(app: FastifyInstance, caps: WebCapabilities, frame: WebFrame) {
  const sessions = new WeakMap<FastifyRequest, CitizenSession>();

  app.setErrorHandler((error, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error({ err: error }, 'web page failed');
    const t = strings(frame.visitOf(request).lang);
    const text = status === 403 ? t.formExpired : status === 404 ? t.notFound : t.error;
    return frame.page(request, reply, <MessagePage ctx={frame.context(request, request.url.split('?')[0] ?? '/')} title={text} text={text} />, status);
  });

  async function sessionOf(request: FastifyRequest): Promise<CitizenSession | undefined> {
    const cached = sessions.get(request);
    if (cached) return cached;
    const token = frame.visitOf(request).cookies.get(COOKIE.session);
    if (!token) return undefined;
    try {
      const session = await caps.citizen.session(token);
      sessions.set(request, session);
      return session;
    } catch {
      return undefined;
    }
  }

  /** A page for signed-in citizens only; others go to sign in (and are told why, if their session ran out). */
  function signedIn(handler: (request: FastifyRequest, reply: FastifyReply, session: CitizenSession) => Promise<unknown>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await sessionOf(request);
      if (!session) {
        const had = frame.visitOf(request).cookies.has(COOKIE.session);
        if (had) frame.clearCookie(reply, COOKIE.session);
        return frame.redirect(reply, had ? '/sign-in?m=expired' : '/sign-in');
      }
      return handler(request, reply, session);
    };
  }

  const ctxOf = (request: FastifyRequest, session?: CitizenSession) => frame.context(request, request.url.split('?')[0] ?? '/', session ? { signedIn: session.cnic } : {});
  const message = (request: FastifyRequest) => (request.query as Record<string, string | undefined>).m;

  app.get('/', async (request, reply) => {
    const session = await sessionOf(request);
    if (!session) return frame.redirect(reply, '/sign-in');
    return frame.page(request, reply, <HomePage ctx={ctxOf(request, session)} />);
  });

  app.post('/lang', async (request, reply) => {
    const form = request.body as Form;
    const lang: Lang = field(form, 'lang') === 'en' ? 'en' : 'ur';
    frame.setCookie(reply, COOKIE.lang, lang, { sameSite: 'Lax', maxAge: 365 * 86_400 });
    return frame.redirect(reply, localPath(field(form, 'back')));
  });

  // Sign in, question 1: the CNIC.
  app.get('/sign-in', async (request, reply) => {
    const t = strings(frame.visitOf(request).lang);
    const m = message(request);
    const error = m === 'cnic' ? t.cnicInvalid : m === 'throttled' ? t.tooMany : m === 'expired' ? t.expired : undefined;
    return frame.page(request, reply, <CnicPage ctx={ctxOf(request)} {...(error ? { error } : {})} />, m === 'cnic' ? 400 : m === 'throttled' ? 429 : 200);
  });

  app.post('/sign-in', async (request, reply) => {
    const cnic = typedCnic(field(request.body as Form, 'cnic'));
    if (!cnic) return frame.redirect(reply, '/sign-in?m=cnic');
    try {
      // The same call, throttles and answer as POST /citizen/otp: nothing says whether the CNIC is registered.
      await caps.citizen.requestOtp({ cnic, address: request.ip });
    } catch (error) {
      if (error instanceof RabtaError && error.code === 'rate-limited') return frame.redirect(reply, '/sign-in?m=throttled');
      throw error;
    }
    frame.setCookie(reply, COOKIE.signIn, seal(frame.keys.seal, 'sign-in', cnic, caps.now() + SIGN_IN_TTL_MS), { sameSite: 'Strict', maxAge: SIGN_IN_TTL_MS / 1000, path: '/sign-in' });
    return frame.redirect(reply, '/sign-in/code');
  });

  // Sign in, question 2: the code from the SMS.
  app.get('/sign-in/code', async (request, reply) => {
    if (!unseal(frame.keys.seal, 'sign-in', frame.visitOf(request).cookies.get(COOKIE.signIn), caps.now())) return frame.redirect(reply, '/sign-in');
    const t = strings(frame.visitOf(request).lang);
    const wrong = message(request) === 'code';
    return frame.page(request, reply, <CodePage ctx={ctxOf(request)} {...(wrong ? { error: t.codeWrong } : {})} />, wrong ? 401 : 200);
  });

  app.post('/sign-in/code', async (request, reply) => {
    const cnic = unseal(frame.keys.seal, 'sign-in', frame.visitOf(request).cookies.get(COOKIE.signIn), caps.now());
    if (!cnic) return frame.redirect(reply, '/sign-in?m=expired');
    let session: { token: string; expiresAt: number };
    try {
      session = await caps.citizen.signIn({ cnic, code: asciiCode(field(request.body as Form, 'code')).slice(0, 12) });
    } catch (error) {
      // One answer for every failure (wrong, expired, used up, unknown CNIC), as the API gives.
      if (error instanceof RabtaError && statusOf(error) < 500) return frame.redirect(reply, '/sign-in/code?m=code');
      throw error;
    }
    frame.clearCookie(reply, COOKIE.signIn, '/sign-in');
    frame.setCookie(reply, COOKIE.session, session.token, { sameSite: 'Lax', maxAge: Math.max(1, Math.floor((session.expiresAt - caps.now()) / 1000)) });
    return frame.redirect(reply, '/');
  });

  app.post('/sign-out', async (_request, reply) => {
    frame.clearCookie(reply, COOKIE.session);
    return frame.redirect(reply, '/sign-in');
  });

  app.get(
    '/my/money',
    signedIn(async (request, reply, session) => {
      const status = await latestPaymentStatus(caps, session);
      return frame.page(request, reply, <MoneyPage ctx={ctxOf(request, session)} status={status} />);
    }),
  );

  app.get(
    '/my/tracker',
    signedIn(async (request, reply, session) => {
      const after = (request.query as Record<string, string | undefined>).after;
      const page = await caps.citizen.access(session, { limit: 20, ...(after && after.length <= 300 ? { cursor: after } : {}) });
      return frame.page(request, reply, <TrackerPage ctx={ctxOf(request, session)} items={page.items} next={page.next} />);
    }),
  );

  app.get(
    '/my/tracker/:kind/:id',
    signedIn(async (request, reply, session) => {
      const { kind, id } = request.params as { kind: string; id: string };
      if ((kind !== 'exchange' && kind !== 'event') || !UUID.test(id)) throw new RabtaError('not-found');
      // Only a record that concerned this citizen: another's is not found, as in the API.
      if (!(await caps.citizen.concernedBy(session, id))) throw new RabtaError('not-found');
      const [receipt, entry] = await Promise.all([caps.receipt(kind, id), findEntry(caps, session, id)]);
      const result = checkReceipt(receipt, caps.logVkey);
      const ctx = { ...ctxOf(request, session), assets: { css: frame.assets.css, js: frame.assets.verifyJs } };
      return frame.page(request, reply, <CheckPage ctx={ctx} entry={entry} result={result} />);
    }),
  );

  app.get(
    '/my/consents',
    signedIn(async (request, reply, session) => {
      const t = strings(frame.visitOf(request).lang);
      const m = message(request);
      const done = m === 'approved' ? t.approved : m === 'rejected' ? t.rejected : m === 'revoked' ? t.revoked : m === 'refused' ? t.notAllowed : undefined;
      const consents = await caps.citizen.consents(session);
      return frame.page(request, reply, <ConsentsPage ctx={ctxOf(request, session)} consents={consents} {...(done ? { done } : {})} />);
    }),
  );

  app.get(
    '/my/consents/:id',
    signedIn(async (request, reply, session) => {
      const { id } = request.params as { id: string };
      const consent = (await caps.citizen.consents(session)).find((c) => c.id === id);
      if (!consent) throw new RabtaError('not-found');
      if (consent.status !== 'REQUESTED' && consent.status !== 'ACTIVE') return frame.redirect(reply, '/my/consents?m=refused');
      return frame.page(request, reply, <ConsentPage ctx={ctxOf(request, session)} consent={consent} />);
    }),
  );

  app.post(
    '/my/consents/:id/:action',
    signedIn(async (request, reply, session) => {
      const { id, action } = request.params as { id: string; action: string };
      if (!UUID.test(id) || !ACTIONS.includes(action as CitizenAction)) throw new RabtaError('not-found');
      try {
        await caps.citizen.act(session, id, action as CitizenAction);
      } catch (error) {
        if (error instanceof RabtaError && (error.code === 'conflict' || error.code === 'not-found')) return frame.redirect(reply, '/my/consents?m=refused');
        throw error;
      }
      return frame.redirect(reply, `/my/consents?m=${{ approve: 'approved', reject: 'rejected', revoke: 'revoked' }[action as CitizenAction]}`);
    }),
  );

  app.get(
    '/my/notices',
    signedIn(async (request, reply, session) => {
      const [institutions, stopped, sent] = await Promise.all([caps.institutions(), caps.citizen.stoppedInstitutions(session), caps.citizen.notifications(session, { limit: 10 })]);
      const messages = sent.items.map((n) => ({ at: n.at, text: messageText(n), language: n.language }));
      return frame.page(request, reply, <NoticesPage ctx={ctxOf(request, session)} institutions={institutions} stopped={stopped} saved={message(request) === 'saved'} messages={messages} />);
    }),
  );

  app.post(
    '/my/notices',
    signedIn(async (request, reply, session) => {
      const allowed = new Set(fields(request.body as Form, 'allow'));
      const all = await caps.institutions();
      // The form lists who may message; the module keeps who may not.
      await caps.citizen.setStoppedInstitutions(session, all.filter((m) => !allowed.has(m.id)).map((m) => m.id));
      return frame.redirect(reply, '/my/notices?m=saved');
    }),
  );

  casePages(app, caps, frame, { signedIn, ctxOf, message });
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type SignedIn = (handler: (request: FastifyRequest, reply: FastifyReply, session: CitizenSession) => Promise<unknown>) => Handler;

const REFERENCE = /^RB-\d{2}-\d{6}-\d$/;

/**
 * My cases: the list, a complaint in one form (free text, district, optional
 * category), one case with its deadline and timeline, and her answer to a
 * proposed resolution (solved and a rating, or not solved: reopened). All
 * through cases' citizen interface for the signed-in session.
 */
function casePages(
  app: FastifyInstance,
  caps: WebCapabilities,
  frame: WebFrame,
  { signedIn, ctxOf, message }: { signedIn: SignedIn; ctxOf: (request: FastifyRequest, session?: CitizenSession) => PageContext; message: (request: FastifyRequest) => string | undefined },
) {
  const names = async (): Promise<Institutions> => new Map((await caps.institutions()).map((m) => [m.id, m]));

  app.get(
    '/my/cases',
    signedIn(async (request, reply, session) => {
      const [cases, institutions] = await Promise.all([caps.cases.list(session), names()]);
      return frame.page(request, reply, <CasesPage ctx={ctxOf(request, session)} cases={cases} names={institutions} />);
    }),
  );

  const filePage = async (request: FastifyRequest, reply: FastifyReply, session: CitizenSession, error?: string, values?: ComplaintForm) =>
    frame.page(request, reply, <FilePage ctx={ctxOf(request, session)} categories={await caps.cases.categories()} districts={caps.cases.districts()} {...(error ? { error } : {})} {...(values ? { values } : {})} />, error ? 400 : 200);

  app.get(
    '/my/cases/new',
    signedIn(async (request, reply, session) => filePage(request, reply, session)),
  );

  // A complaint that cannot be taken comes back on the same page with what she wrote, rather than a redirect that would lose it.
  app.post(
    '/my/cases',
    signedIn(async (request, reply, session) => {
      const form = request.body as Form;
      const values: ComplaintForm = { text: field(form, 'text').trim(), district: field(form, 'district').trim().slice(0, 40), category: field(form, 'category').trim().slice(0, 32) };
      const t = strings(frame.visitOf(request).lang);
      if (!values.text) return filePage(request, reply, session, t.textMissing, values);
      if ([...values.text].length > COMPLAINT_MAX) return filePage(request, reply, session, t.textTooLong, values);
      try {
        const filed = await caps.cases.file(session, { text: values.text, district: values.district || undefined, category: values.category || undefined, language: frame.visitOf(request).lang });
        return frame.redirect(reply, `/my/cases/${filed.reference}?m=filed`);
      } catch (error) {
        if (error instanceof RabtaError && error.code === 'unknown-district') return filePage(request, reply, session, t.districtWrong, { ...values, district: '' });
        if (error instanceof RabtaError && error.code === 'description-too-long') return filePage(request, reply, session, t.textTooLong, values);
        if (error instanceof RabtaError && error.code === 'unknown-category') return filePage(request, reply, session, t.error, { ...values, category: '' });
        throw error;
      }
    }),
  );

  app.get(
    '/my/cases/:ref',
    signedIn(async (request, reply, session) => {
      const { ref } = request.params as { ref: string };
      if (!REFERENCE.test(ref)) throw new RabtaError('not-found');
      const view = await caps.cases.view(session, ref).catch((error: unknown) => {
        // Another's case is not found, as an unknown one is.
        if (error instanceof RabtaError && (error.code === 'case-not-yours' || error.code === 'unknown-case' || error.code === 'case-reference-invalid')) throw new RabtaError('not-found');
        throw error;
      });
      const t = strings(frame.visitOf(request).lang);
      const m = message(request);
      const texts: Record<string, { kind: 'ok' | 'error'; text: string }> = { filed: { kind: 'ok', text: t.filed }, closed: { kind: 'ok', text: t.caseClosed }, reopened: { kind: 'ok', text: t.caseReopened }, rated: { kind: 'ok', text: t.caseRated }, refused: { kind: 'error', text: t.caseNoChange } };
      const done = m ? texts[m] : undefined;
      return frame.page(request, reply, <CasePage ctx={ctxOf(request, session)} view={view} names={await names()} {...(done ? { done } : {})} />);
    }),
  );

  app.post(
    '/my/cases/:ref/answer',
    signedIn(async (request, reply, session) => {
      const { ref } = request.params as { ref: string };
      if (!REFERENCE.test(ref)) throw new RabtaError('not-found');
      const form = request.body as Form;
      const solved = field(form, 'solved') === 'yes';
      const rating = /^[1-5]$/.test(field(form, 'rating')) ? Number(field(form, 'rating')) : undefined;
      let state: string;
      try {
        const before = await caps.cases.view(session, ref);
        state = before.state;
        await caps.cases.answer(session, ref, { solved, ...(rating ? { satisfaction: rating } : {}) });
      } catch (error) {
        if (error instanceof RabtaError && (error.code === 'case-state' || error.code === 'conflict' || error.code === 'bad-request')) return frame.redirect(reply, `/my/cases/${ref}?m=refused`);
        if (error instanceof RabtaError && (error.code === 'case-not-yours' || error.code === 'unknown-case')) throw new RabtaError('not-found');
        throw error;
      }
      return frame.redirect(reply, `/my/cases/${ref}?m=${!solved ? 'reopened' : state === 'closed' ? 'rated' : 'closed'}`);
    }),
  );
}

/**
 * "Where is my money?": the newest notice an institution marked as a status
 * (what STATUS by SMS answers), with the date it names, if any.
 */
async function latestPaymentStatus(caps: WebCapabilities, session: CitizenSession): Promise<MoneyStatus | null> {
  let cursor: string | undefined;
  // STATUS looks through the latest 50 notices; so does the page.
  for (let round = 0; round < 2; round++) {
    const page = await caps.citizen.notifications(session, { limit: 25, ...(cursor ? { cursor } : {}) });
    for (const n of page.items) {
      const params = n.params as { institution?: unknown; text?: unknown; status?: unknown; topic?: unknown };
      if (n.template !== 'event-notice' || params.status !== true || typeof params.text !== 'string') continue;
      const memberId = typeof params.institution === 'string' ? params.institution : '';
      const member = (await caps.institutions()).find((m) => m.id === memberId) ?? { nameEn: memberId, nameUr: memberId };
      return { institution: member, text: params.text, at: n.at, topic: typeof params.topic === 'string' ? params.topic : '', expected: /\b(\d{4}-\d{2}-\d{2})\b/.exec(params.text)?.[1] ?? null, language: n.language };
    }
    if (!page.next) break;
    cursor = page.next;
  }
  return null;
}

async function findEntry(caps: WebCapabilities, session: CitizenSession, id: string) {
  let cursor: string | undefined;
  for (let round = 0; round < 5; round++) {
    const page = await caps.citizen.access(session, { limit: 100, ...(cursor ? { cursor } : {}) });
    const entry = page.items.find((e) => e.exchangeId === id);
    if (entry || !page.next) return entry;
    cursor = page.next;
  }
  return undefined;
}

function messageText(n: NotificationView): string {
  try {
    return renderCitizenMessage(n.language, n.template as CitizenTemplate, n.params as CitizenTemplateParams[CitizenTemplate]);
  } catch {
    // A template this build does not know (a newer node wrote it): show that something was sent.
    return '—';
  }
}

/**
 * "Check this record", without JavaScript: the ledger's own verifier, with
 * the log key pinned from this instance rather than taken from the receipt.
 * No witness quorum is required of a citizen's receipt (none may be set up).
 */
export function checkReceipt(receipt: ReceiptDocument | undefined, logVkey: string): CheckResult {
  if (!receipt) return { state: 'wait' };
  const verdict = verifyReceipt(receipt, { quorum: 0, logVkey });
  if (!verdict.ok) return { state: 'bad', reason: verdict.failed };
  return { state: 'ok', index: verdict.index, size: verdict.checkpoint.size, receipt: JSON.stringify(receipt) };
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CaseActor, Cases } from '../../cases/index.js';
import { MAX_TEXT } from '../../cases/index.js';
import { memberIdOf, RabtaError } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';
import { actorOf, operatorAuth } from '../auth.js';
import { bearer } from '../schemas.js';
import { signedScope } from '../signed.js';
import type { Authenticate } from '../signed.js';

const Ref = Type.Object({ ref: Type.String({ maxLength: 40, description: 'the case reference RB-YY-NNNNNN-C (or its id)' }) });
const Member = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'a member id, e.g. PK/BANK/HBL' });
const Days = Type.Number({ exclusiveMinimum: 0, maximum: 365 });
const OpenBody = Type.Object(
  {
    category: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT * 2, description: `the citizen’s words, at most ${MAX_TEXT} characters` }),
    citizen: Type.Optional(Type.Object({ cnic: Type.Optional(Type.String({ maxLength: 20 })), mobile: Type.Optional(Type.String({ maxLength: 20 })), language: Type.Optional(Type.Union([Type.Literal('ur'), Type.Literal('en')])) }, { additionalProperties: false })),
    anonymous: Type.Optional(Type.Boolean()),
    district: Type.Optional(Type.String({ maxLength: 40, description: 'a census district code, e.g. PB-LAHORE' })),
    lead: Type.Optional(Member),
    partners: Type.Optional(Type.Array(Member, { maxItems: 20 })),
    attachments: Type.Optional(Type.Array(Type.Object({ digest: Type.String({ pattern: '^[0-9a-f]{64}$' }), name: Type.String({ maxLength: 200 }), mediaType: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/**
 * The calls an institution makes on its cases, the same behind a signature
 * (`/cases…`, the signing subsystem's member acts) and behind a member
 * admin's token (`/admin/cases…`, scoped by the token's exact member; the
 * authority's token acts as the authority).
 */
async function caseCalls(base: FastifyInstance, { cases, prefix, actor, intake, security }: { cases: Cases; prefix: string; actor: (request: FastifyRequest) => CaseActor; intake: (request: FastifyRequest) => string; security?: typeof bearer }) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cases'];
  const s = security ? { security } : {};
  app.post(prefix, { schema: { tags, ...s, summary: 'Open a case for a citizen (the lead defaults to the category’s)', body: OpenBody } }, async (request, reply) => {
    const b = request.body;
    const opened = await cases.open(actor(request), { ...b, channel: 'signed', intake: intake(request) });
    return reply.status(201).send(opened);
  });
  app.get(prefix, { schema: { tags, ...s, summary: 'The cases you lead or partner on (the authority: all)', querystring: Type.Object({ state: Type.Optional(Type.String({ maxLength: 20 })), open: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])), member: Type.Optional(Member), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }) } }, async (request) => {
    const q = request.query;
    return cases.list(actor(request), { state: q.state, member: q.member, open: q.open === undefined ? undefined : q.open === 'true', limit: q.limit ? Number(q.limit) : undefined });
  });
  app.get(`${prefix}/overdue`, { schema: { tags, ...s, summary: 'Overdue tasks: yours, or (the authority) all' } }, async (request) => cases.overdue(actor(request)));
  app.get(`${prefix}/:ref`, { schema: { tags, ...s, summary: 'A case with its tasks, notes and timeline', params: Ref } }, async (request) => cases.view(actor(request), request.params.ref));
  app.post(`${prefix}/:ref/accept`, { schema: { tags, ...s, summary: 'The lead takes the case up (its first response)', params: Ref } }, async (request) => cases.accept(actor(request), request.params.ref));
  app.post(`${prefix}/:ref/partners`, { schema: { tags, ...s, summary: 'Add a partner institution', params: Ref, body: Type.Object({ member: Member }, { additionalProperties: false }) } }, async (request) => cases.addPartner(actor(request), request.params.ref, request.body.member));
  app.post(`${prefix}/:ref/tasks`, { schema: { tags, ...s, summary: 'Assign a task to an institution on the case', params: Ref, body: Type.Object({ assignee: Member, title: Type.String({ minLength: 1, maxLength: 200 }), dueDays: Type.Optional(Days) }, { additionalProperties: false }) } }, async (request, reply) =>
    reply.status(201).send(await cases.assignTask(actor(request), request.params.ref, request.body)),
  );
  app.post(`${prefix}/:ref/tasks/:task/complete`, { schema: { tags, ...s, summary: 'Complete a task', params: Type.Object({ ref: Type.String({ maxLength: 40 }), task: Type.String({ format: 'uuid' }) }) } }, async (request) => cases.completeTask(actor(request), request.params.ref, request.params.task));
  app.post(`${prefix}/:ref/notes`, { schema: { tags, ...s, summary: 'Add a note, internal or visible to the citizen', params: Ref, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 8000 }), visibility: Type.Union([Type.Literal('internal'), Type.Literal('citizen')]) }, { additionalProperties: false }) } }, async (request, reply) =>
    reply.status(201).send(await cases.addNote(actor(request), request.params.ref, request.body)),
  );
  app.post(`${prefix}/:ref/transfer`, { schema: { tags, ...s, summary: 'Transfer the case to another lead', params: Ref, body: Type.Object({ to: Member, reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }) } }, async (request) => cases.transfer(actor(request), request.params.ref, request.body));
  app.post(`${prefix}/:ref/resolve`, { schema: { tags, ...s, summary: 'Propose that the case is resolved; the citizen confirms', params: Ref, body: Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: 300 })) }, { additionalProperties: false })) } }, async (request) => cases.resolve(actor(request), request.params.ref, request.body ?? {}));
  app.post(`${prefix}/:ref/reject`, { schema: { tags, ...s, summary: 'Reject the case, with a reason the citizen reads', params: Ref, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }) } }, async (request) => cases.reject(actor(request), request.params.ref, request.body.reason));
  app.post(`${prefix}/:ref/duplicate`, { schema: { tags, ...s, summary: 'Mark the case a duplicate of another', params: Ref, body: Type.Object({ of: Type.String({ maxLength: 40 }) }, { additionalProperties: false }) } }, async (request) => cases.markDuplicate(actor(request), request.params.ref, request.body.of));
  app.get(`${prefix}/:ref/timeline/:seq/receipt`, { schema: { tags, ...s, summary: 'A change’s ledger receipt: the record, its salt and an inclusion proof (C2SP tlog-proof)', params: Type.Object({ ref: Type.String({ maxLength: 40 }), seq: Type.String({ pattern: '^[1-9][0-9]{0,5}$' }) }) } }, async (request) =>
    cases.receipt(actor(request), request.params.ref, Number(request.params.seq)),
  );
}

/** The authority's and members' own settings: the catalogue, holidays, escalation levels, intake keys, triage and notices. */
async function caseAdmin(base: FastifyInstance, { cases, actor }: { cases: Cases; actor: (request: FastifyRequest) => CaseActor }) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cases'];
  const security = bearer;
  const MemberParams = Type.Object({ class: Type.String({ maxLength: 8 }), member: Type.String({ maxLength: 64 }) });
  const memberId = (p: { class: string; member: string }) => `${cases.open311.instance}/${p.class}/${p.member}`;
  app.put('/admin/case-categories/:code', {
    schema: {
      tags, security, summary: 'Add or change a case category (the authority)',
      params: Type.Object({ code: Type.String({ maxLength: 32 }) }),
      body: Type.Object({ nameEn: Type.String({ minLength: 1, maxLength: 200 }), nameUr: Type.String({ minLength: 1, maxLength: 200 }), description: Type.Optional(Type.String({ maxLength: 1000 })), lead: Type.Optional(Type.Union([Member, Type.Null()])), firstResponseDays: Days, resolutionDays: Days, group: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
    },
  }, async (request) => cases.putCategory(actor(request), { code: request.params.code, ...request.body }));
  app.get('/admin/case-categories', { schema: { tags, security, summary: 'The case catalogue' } }, async () => cases.listCategories());
  app.put('/admin/case-holidays/:date', { schema: { tags, security, summary: 'A public holiday (YYYY-MM-DD, Pakistan time): no working day', params: Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) }), body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }) } }, async (request, reply) => {
    await cases.putHoliday(actor(request), { date: request.params.date, name: request.body.name });
    return reply.status(204).send();
  });
  app.put('/admin/members/:class/:member/escalation-levels', { schema: { tags, security, summary: 'An institution’s escalation levels: the officer role first, the head last', params: MemberParams, body: Type.Object({ roles: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 6 }) }, { additionalProperties: false }) } }, async (request) =>
    cases.setEscalationLevels(actor(request), memberId(request.params), request.body.roles),
  );
  app.post('/admin/members/:class/:member/intake-keys', { schema: { tags, security, summary: 'A new Open311 api_key for the member’s intake (shown once)', params: MemberParams, body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }) } }, async (request, reply) =>
    reply.status(201).send(await cases.createIntakeKey(actor(request), { member: memberId(request.params), label: request.body.label })),
  );
  app.post('/admin/case-intake-keys/portal', { schema: { tags, security, summary: 'A new Open311 api_key for the citizen portal (the authority)', body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }) } }, async (request, reply) =>
    reply.status(201).send(await cases.createIntakeKey(actor(request), { member: null, label: request.body.label })),
  );
  app.get('/admin/members/:class/:member/case-notices', { schema: { tags, security, summary: 'What the member was told about its cases (escalations, overdue work)', params: MemberParams } }, async (request) => cases.notices(actor(request), memberId(request.params)));
  app.post('/admin/members/:class/:member/case-rules', {
    schema: {
      tags, security, summary: 'Attach a case rule to a topic: its events’ subjects get a case (lead, partners), unless one is open for the same subject and rule within withinDays',
      params: MemberParams,
      body: Type.Object({ topic: Type.String({ maxLength: 400 }), category: Type.String({ maxLength: 32 }), lead: Member, partners: Type.Optional(Type.Array(Member, { maxItems: 10 })), withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })) }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(await cases.addRule(actor(request), memberId(request.params), request.body)));
  app.get('/admin/members/:class/:member/case-rules', { schema: { tags, security, summary: 'The member’s case rules', params: MemberParams } }, async (request) => {
    const a = actor(request);
    const member = memberId(request.params);
    if (a.kind === 'institution' && a.member !== member) throw new RabtaError('forbidden', 'an institution reads only its own rules');
    return cases.listRules(member);
  });
  app.get('/admin/case-triage', { schema: { tags, security, summary: 'The triage queue: cases without a category or lead (the authority)' } }, async (request) => cases.triageQueue(actor(request)));
  app.get('/admin/case-triage/:ref/suggestions', { schema: { tags, security, summary: 'The grievance router’s categories for a queued case, best first, with their confidence (the authority)', params: Ref } }, async (request) =>
    cases.triageSuggestions(actor(request), request.params.ref),
  );
  app.post('/admin/case-triage/:ref', { schema: { tags, security, summary: 'Set a queued case’s category and lead (the authority’s triage officer)', params: Ref, body: Type.Object({ category: Type.String({ maxLength: 32 }), lead: Type.Optional(Member) }, { additionalProperties: false }) } }, async (request) =>
    cases.triage(actor(request), request.params.ref, request.body),
  );
  app.get('/admin/case-corrections', { schema: { tags, security, summary: 'Triage officers’ categories for cases the router decided on, with the citizen’s text (the authority; `rabta assist export-corrections` masks it)', querystring: Type.Object({ since: Type.Optional(Type.String({ format: 'date-time' })) }) } }, async (request) => {
    const out = [];
    for await (const c of cases.corrections(actor(request), { since: request.query.since })) out.push(c);
    return out;
  });
  app.post('/admin/case-sweep', { schema: { tags, security, summary: 'Run the deadline sweep now (the authority; normally it runs on its own)' } }, async (request) => {
    const a = actor(request);
    if (a.kind !== 'authority') throw new RabtaError('forbidden', 'only the authority runs the sweep by hand');
    return (await cases.sweep()) ?? { escalated: 0, overdue: 0, unconfirmed: 0, busy: true };
  });
}

export async function casesRoutes(app: FastifyInstance, { cases, authenticate, registry }: { cases: Cases; authenticate: Authenticate; registry: Registry }) {
  await app.register(async (scope) => {
    const { callerOf } = signedScope(scope, authenticate);
    const member = (request: FastifyRequest) => memberIdOf(callerOf(request).clientId);
    await caseCalls(scope, { cases, prefix: '/cases', actor: (request) => ({ kind: 'institution', member: member(request), by: callerOf(request).clientId }), intake: member });
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth(registry));
    const actor = (request: FastifyRequest): CaseActor => {
      const operator = actorOf(request);
      if (operator.role === 'member-admin' && operator.memberId) return { kind: 'institution', member: operator.memberId, by: `operator:${operator.id}` };
      return { kind: 'authority', by: `operator:${operator.id}` };
    };
    const intake = (request: FastifyRequest) => {
      const a = actor(request);
      return a.kind === 'institution' ? a.member : 'authority';
    };
    await caseCalls(scope, { cases, prefix: '/admin/cases', actor, intake, security: bearer });
    await caseAdmin(scope, { cases, actor });
  });
}

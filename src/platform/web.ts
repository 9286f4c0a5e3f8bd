import type { FastifyInstance } from 'fastify';
import { exchangeCountsByMembers } from '../exchange/index.js';
import { eventCountsByTopic } from '../events/index.js';
import { districts } from '../cases/index.js';
import { LEAF_KIND, SYSTEM_ACTOR } from '../core/index.js';
import type { WebCapabilities } from '../web/index.js';
import type { Platform } from './types.js';

/** What the web faces may call: the citizens module's portal, the ledger's receipts, public counts, and the server for the console. */
export function webCapabilities(platform: Platform, app: FastifyInstance): WebCapabilities {
  const members = async () => (await platform.registry.listMembers()).map((m) => ({ id: m.id, nameEn: m.nameEn, nameUr: m.nameUr }));
  return {
    publicUrl: platform.config.publicUrl,
    dataDir: platform.config.dataDir,
    sessionSecret: platform.keyring.sessionSecret,
    now: platform.now,
    citizen: platform.citizens.portal,
    cases: {
      list: (session) => platform.cases.citizen.list(session.subjectHash),
      file: (session, complaint) => platform.cases.citizen.file({ subjectHash: session.subjectHash, maskedCnic: session.cnic }, complaint),
      view: (session, reference) => platform.cases.citizen.view(session.subjectHash, reference),
      answer: (session, reference, answer) => platform.cases.citizen.answer(session.subjectHash, reference, answer),
      categories: () => platform.cases.listCategories(),
      districts: () => [...districts().values()],
    },
    institutions: members,
    logVkey: platform.ledger.vkey,
    receipt: (kind, id) => platform.receipt(kind === 'exchange' ? LEAF_KIND.exchange : LEAF_KIND.event, id),
    async figures() {
      const [exchanges, events, checkpoint, institutions] = await Promise.all([exchangeCountsByMembers(platform.store.tables()), eventCountsByTopic(platform.store.tables()), platform.ledger.signedCheckpoint(), members()]);
      return {
        exchanges,
        events,
        ledger: { origin: platform.ledger.origin, size: checkpoint ? Number(checkpoint.split('\n')[1]) : 0, signatures: checkpoint ? checkpoint.split('\n').filter((line) => line.startsWith('\u2014 ')).length : 0 },
        institutions,
      };
    },
    analytics: dashboardAnalytics(platform),
    server: () => app,
  };
}

/** The dashboard's public figures: the analytics module's own functions, in the authority's scope (everything); the web suppresses small counts. */
function dashboardAnalytics(platform: Platform): WebCapabilities['analytics'] {
  const { analytics } = platform;
  return {
    indicators: (span) => analytics.indicators(SYSTEM_ACTOR, span),
    collaboration: (span) => analytics.collaboration(SYSTEM_ACTOR, span),
    network: (span) => analytics.network(SYSTEM_ACTOR, span),
    places: (span) => analytics.places(span),
    releases: async () => (await analytics.releases()).map((r) => ({ version: r.version, publishedAt: r.publishedAt, digest: r.digest, from: r.from, to: r.to, files: [...r.files.keys()] })),
    async receipt(version) {
      const receipt = await analytics.receipt(version);
      return receipt ? { index: receipt.index, proof: receipt.proof, entry: receipt.entry } : undefined;
    },
  };
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RabtaError } from '../core/index.js';
import { encodeEntryBundle, parseEntryBundle } from './bundles.js';
import { encodeBase64 } from './encoding.js';
import type { Ledger } from './service.js';
import { parseTilePath } from './tiles.js';

const TILE_WIDTH = 256;

/**
 * The log's public face: C2SP tlog-tiles under /ledger, exactly as the spec
 * spells it so that other people's verifiers can read us, plus JSON proofs.
 */
export async function ledgerRoutes(base: FastifyInstance, ledger: Ledger) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/ledger/checkpoint', { schema: { tags: ['ledger'], summary: 'The latest checkpoint (C2SP tlog-checkpoint signed note, with witness cosignatures)' } }, async (_request, reply) => {
    const note = await ledger.signedCheckpoint();
    if (!note) throw new RabtaError('not-found', 'the log is empty: no checkpoint yet');
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
  });

  app.get('/ledger/vkey', { schema: { tags: ['ledger'], summary: 'The log’s note verifier key' } }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send(`${ledger.vkey}\n`));

  app.get('/ledger/tile/*', { schema: { tags: ['ledger'], summary: 'A tile or entry bundle (C2SP tlog-tiles)' } }, async (request, reply) => {
    const path = `tile/${(request.params as { '*': string })['*']}`;
    let parsed: ReturnType<typeof parseTilePath>;
    try {
      parsed = parseTilePath(path);
    } catch {
      throw new RabtaError('not-found', `${path} is not a tile path`);
    }
    // Full tiles never change; partial ones are replaced by wider ones.
    const cache = (width: number) => (width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (parsed.kind === 'tile') {
      const data = await ledger.readTile(parsed.tile);
      if (!data) throw new RabtaError('not-found', `no tile ${path} in this log`);
      return reply.type('application/octet-stream').header('cache-control', cache(parsed.tile.width)).send(data);
    }
    const stored = await ledger.readBundle(parsed.bundle.index);
    if (!stored) throw new RabtaError('not-found', `no entry bundle ${path} in this log`);
    const entries = parseEntryBundle(stored);
    if (entries.length < parsed.bundle.width) throw new RabtaError('not-found', `entry bundle ${path} is not that wide yet`);
    const data = entries.length === parsed.bundle.width ? stored : Buffer.from(encodeEntryBundle(entries.slice(0, parsed.bundle.width)));
    return reply.type('application/octet-stream').header('cache-control', cache(parsed.bundle.width)).send(data);
  });

  const Size = Type.String({ pattern: '^[0-9]{1,15}$' });

  app.get(
    '/ledger/proof/inclusion',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Inclusion proof of leaf `index` in the tree of `size` (default: the latest checkpoint)',
        querystring: Type.Object({ index: Size, size: Type.Optional(Size) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const latest = await ledger.latestCheckpoint();
      const size = Number(request.query.size ?? latest?.size ?? 0);
      const index = Number(request.query.index);
      if (!latest || size > latest.size || size < 1) throw new RabtaError('not-found', `no checkpoint of size ${size}`);
      if (index >= size) throw new RabtaError('bad-request', `leaf ${index} is not in a tree of ${size}`);
      return { index, size, hashes: (await ledger.inclusionProof(index, size)).map(encodeBase64) };
    },
  );

  app.get(
    '/ledger/proof/consistency',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Consistency proof between two tree sizes',
        querystring: Type.Object({ from: Size, to: Type.Optional(Size) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const latest = await ledger.latestCheckpoint();
      const to = Number(request.query.to ?? latest?.size ?? 0);
      const from = Number(request.query.from);
      if (!latest || to > latest.size) throw new RabtaError('not-found', `no checkpoint of size ${to}`);
      if (from < 1 || from > to) throw new RabtaError('bad-request', 'a consistency proof goes from a smaller, non-empty tree to a larger one');
      return { from, to, hashes: from === to ? [] : (await ledger.consistencyProof(from, to)).map(encodeBase64) };
    },
  );
}

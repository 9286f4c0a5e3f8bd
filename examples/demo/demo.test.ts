import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSignature } from 'http-message-sig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestInstance } from '../../src/platform/testing.js';
import type { TestInstance } from '../../src/platform/testing.js';
import { contentDigest, fetchInstanceKeys, parseKeyFile, verifyResponse } from '../../src/sdk/index.js';
import { startDemo } from './index.js';
import { FREE_PORTS } from './testing.js';

/*
 * The demo as a newcomer meets it: every key file's example call, signed by
 * Cloudflare's independent RFC 9421 implementation, goes through Rabta over
 * real HTTP and comes back with a response signature that verifies against
 * /.well-known/rabta.json.
 */
describe('demo federation', () => {
  let t: TestInstance;
  let base: string;
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let keyFiles: string[];

  async function independentCall(file: string, tweak: { nonce?: string; created?: number; flipByte?: boolean } = {}) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { example: { method: string; path: string; headers?: Record<string, string>; body?: unknown } };
    const key = await parseKeyFile(readFileSync(file, 'utf8'), file);
    const example = raw.example;
    const body = example.body === undefined ? undefined : Buffer.from(JSON.stringify(example.body));
    const headers: Record<string, string> = { 'rabta-client': key.client };
    for (const [name, value] of Object.entries(example.headers ?? {})) headers[name.toLowerCase()] = value;
    if (body) headers['content-digest'] = contentDigest(body);
    const components = ['@method', '@target-uri', 'rabta-client', ...(body ? ['content-digest'] : []), ...['rabta-purpose', 'rabta-subject'].filter((h) => h in headers)];
    const created = tweak.created ?? Math.floor(Date.now() / 1000);
    const fields = await createSignature(
      { kind: 'request', method: example.method, targetUri: `${base}${example.path}`, fields: Object.entries(headers).map(([name, value]) => ({ name, value })) },
      {
        label: 'sig1',
        components,
        parameters: { created, expires: created + 60, nonce: tweak.nonce ?? `cf-${Math.random().toString(36).slice(2)}-${Date.now()}`, keyid: key.keyId, alg: 'ed25519', tag: 'rabta-request' },
        signer: { algorithm: 'ed25519', sign: (data: Uint8Array) => new Uint8Array(sign(null, data, key.privateKey)) },
      },
    );
    const sent = { ...headers, signature: fields.signature, 'signature-input': fields.signatureInput };
    let payload = body;
    if (tweak.flipByte && body) payload = Buffer.from(body.toString().replace('13500', '13501'));
    const response = await fetch(`${base}${example.path}`, { method: example.method, headers: sent, body: payload });
    const responseBody = new Uint8Array(await response.arrayBuffer());
    return { response, responseBody, requestSignature: fields.signature, key };
  }

  beforeAll(async () => {
    // The public URL is what signatures cover, so the port is chosen before the instance starts.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await startTestInstance('sqlite', null, { env: { PORT: String(port) } });
    await t.app.listen({ port, host: '127.0.0.1' });
    demo = await startDemo(t.platform, { ports: FREE_PORTS });
    keyFiles = demo.keyFiles;
  });
  afterAll(async () => {
    await demo?.stop();
    await t?.close();
  });

  it('answers every key file’s example call, signed by an independent implementation, with a verifiable response', async () => {
    const keys = await fetchInstanceKeys(base);
    expect(keyFiles.length).toBeGreaterThanOrEqual(5);
    for (const file of keyFiles) {
      const { response, responseBody, requestSignature } = await independentCall(file);
      expect({ file, status: response.status }).toEqual({ file, status: 200 });
      expect(response.headers.get('rabta-origin')).toBe('upstream');
      const verified = await verifyResponse({
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: responseBody,
        request: { signature: requestSignature },
        resolveKey: async (kid) => keys.get(kid) as NonNullable<ReturnType<typeof keys.get>>,
      });
      expect(verified.keyId).toBe(t.platform.keyring.exchange[0]?.kid);
    }
  });

  it('refuses a replay, an old signature, a changed byte and a client without the right', async () => {
    const hbl = keyFiles.find((f) => f.endsWith('HBL-branch-app.json')) as string;
    const first = await independentCall(hbl, { nonce: 'demo-replay-nonce-000000001' });
    expect(first.response.status).toBe(200);
    const replay = await independentCall(hbl, { nonce: 'demo-replay-nonce-000000001' });
    expect([replay.response.status, (JSON.parse(Buffer.from(replay.responseBody).toString()) as { type: string }).type]).toEqual([401, 'https://rabta.pk/problems/nonce-replayed']);
    const old = await independentCall(hbl, { created: Math.floor(Date.now() / 1000) - 600 });
    expect((JSON.parse(Buffer.from(old.responseBody).toString()) as { type: string }).type).toBe('https://rabta.pk/problems/signature-expired');
    const batchFile = keyFiles.find((f) => f.endsWith('BISP-payments.json')) as string;
    const changed = await independentCall(batchFile, { flipByte: true });
    expect((JSON.parse(Buffer.from(changed.responseBody).toString()) as { type: string }).type).toBe('https://rabta.pk/problems/digest-mismatch');
    // Jazz may verify SIM owners at NADRA, but not read BISP payment status.
    const jazz = keyFiles.find((f) => f.endsWith('JAZZ-sim-registration.json')) as string;
    const stolenExample = JSON.parse(readFileSync(hbl, 'utf8')).example as unknown;
    const jazzFile = JSON.parse(readFileSync(jazz, 'utf8')) as Record<string, unknown>;
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const borrowed = join(mkdtempSync(join(tmpdir(), 'rabta-demo-')), 'jazz-borrowed.json');
    writeFileSync(borrowed, JSON.stringify({ ...jazzFile, example: stolenExample }));
    const denied = await independentCall(borrowed);
    expect([denied.response.status, (JSON.parse(Buffer.from(denied.responseBody).toString()) as { type: string }).type]).toEqual([403, 'https://rabta.pk/problems/no-access-right']);
  });

  it('has upstreams that refuse a call that did not come through Rabta', async () => {
    const response = await fetch(`${demo.upstreamUrl}/bisp/payments/beneficiaries/status`, { headers: { 'rabta-client': 'PK/BANK/HBL/branch-app', 'rabta-subject': '54400-1234567-2' } });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('not-signed-by-rabta');
  });

  it('has its log cosigned by two witnesses, NADRA’s and HBL’s', async () => {
    let checkpoint = '';
    for (let i = 0; i < 1000 && !(checkpoint.includes('— witness.nadra.demo ') && checkpoint.includes('— witness.hbl.demo ')); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      checkpoint = await (await fetch(`${base}/ledger/checkpoint`)).text();
    }
    expect(checkpoint).toContain('— witness.nadra.demo ');
    expect(checkpoint).toContain('— witness.hbl.demo ');
    expect((await t.platform.registry.listWitnesses()).map((w) => w.memberId)).toEqual(['PK/BANK/HBL', 'PK/GOV/NADRA']);
  });

  it('seeds idempotently', async () => {
    const before = (await t.platform.registry.listChanges({ limit: 1000 })).length;
    const witnessesBefore = await t.platform.registry.listWitnesses();
    const again = await startDemo(t.platform, { ports: FREE_PORTS }).catch((error: unknown) => error);
    expect(again).not.toBeInstanceOf(Error);
    const witnessesAfter = await t.platform.registry.listWitnesses();
    await (again as typeof demo).stop();
    const after = await t.platform.registry.listChanges({ limit: 1000 });
    // a restart may move upstream and witness URLs (new ports), but adds no member, key, right or witness
    expect(after.slice(before).every((c) => ['service.update', 'witness.update'].includes((c as { action: string }).action))).toBe(true);
    expect(witnessesAfter.map((w) => w.name)).toEqual(['witness.hbl.demo', 'witness.nadra.demo']);
    // the registry follows the ports this start got: checkpoints go to the witnesses now listening
    expect(witnessesAfter.map((w) => w.url)).not.toEqual(witnessesBefore.map((w) => w.url));
    expect(after.slice(before).filter((c) => (c as { action: string }).action === 'witness.update')).toHaveLength(2);
  });
});

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from './encoding.js';
import { parseSignatureLines } from './note.js';
import { memoryLog, seed, testWitness, type MemoryLog } from './test-log.js';
import { verifyCosignature } from './cosignature.js';
import { parseNote } from './note.js';
import { formatAddCheckpointRequest } from './witness.js';
import { createWitness, logsFromVkeys, startWitnessServer, TLOG_SIZE_CONTENT_TYPE, type RunningWitness } from './witness-server.js';
import { openWitnessState, WitnessStateError } from './witness-state.js';

const entry = (i: number): Uint8Array => utf8(`entry ${i}`);
const batch = (from: number, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => entry(from + i));

describe('witness server (tlog-witness over HTTP)', () => {
  let dir: string;
  let statePath: string;
  let log: MemoryLog;
  let running: RunningWitness | undefined;
  const cosigner = testWitness('witness.example/w1', 7);

  async function start(): Promise<RunningWitness> {
    const witness = createWitness({
      cosigners: [cosigner],
      logs: logsFromVkeys([log.signer.verifier.vkey]),
      state: await openWitnessState(statePath),
      now: () => 1_790_000_000,
    });
    running = await startWitnessServer(witness, { port: 0 });
    return running;
  }

  async function post(oldSize: number, checkpoint: string, proof: Uint8Array[] = []) {
    const response = await fetch(`${(running as RunningWitness).url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpointRequest({ oldSize, proof, checkpoint }),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rabta-witness-'));
    statePath = join(dir, 'state.json');
    log = memoryLog();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });


  it('lives through an error of its listening socket (accept failing with EMFILE)', async () => {
    const witness = await start();
    expect(() => witness.server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }))).not.toThrow();
    expect((await fetch(`${witness.url}/nothing-here`)).status).toBe(404);
  });
  it('cosigns a first checkpoint, then a consistent larger one, persisting each', async () => {
    await start();
    const first = log.append(batch(0, 5));
    // A proof from size 0 must be empty.
    expect((await post(0, first, [new Uint8Array(32)])).status).toBe(422);
    const r1 = await post(0, first);
    expect(r1.status).toBe(200);
    const [sig] = parseSignatureLines(r1.body);
    expect(sig?.name).toBe('witness.example/w1');
    expect(verifyCosignature(cosigner.verifier, parseNote(first).text, sig!).ok).toBe(true);
    expect(JSON.parse(await readFile(statePath, 'utf8')).logs[log.origin].size).toBe(5);
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);

    const second = log.append(batch(5, 300));
    const r2 = await post(5, second, log.consistencyProof(5, 305));
    expect(r2.status).toBe(200);
    expect(JSON.parse(await readFile(statePath, 'utf8')).logs[log.origin].size).toBe(305);

    // Re-submitting what it holds is cosigned again (old size = checkpoint size, same root).
    expect((await post(305, second)).status).toBe(200);
  });

  it('answers 409 text/x.tlog.size with the size it knows when the old size is wrong', async () => {
    await start();
    await post(0, log.append(batch(0, 5)));
    const next = log.append(batch(5, 3));
    const conflict = await post(0, next);
    expect(conflict.status).toBe(409);
    expect(conflict.type).toBe(TLOG_SIZE_CONTENT_TYPE);
    expect(conflict.body).toBe('5\n');
    expect((await post(6, next, log.consistencyProof(6, 8))).body).toBe('5\n');
  });

  it('answers 422 for a different root at the size it cosigned (a fork), as C2SP tlog-witness requires', async () => {
    await start();
    await post(0, log.append(batch(0, 5)));
    const fork = memoryLog(log.origin, seed(1));
    const forked = fork.append(batch(100, 5));
    const answer = await post(5, forked);
    expect(answer.status).toBe(422);
  });

  it('answers 422 when the consistency proof does not verify, and does not advance', async () => {
    await start();
    await post(0, log.append(batch(0, 5)));
    const next = log.append(batch(5, 10));
    const proof = log.consistencyProof(5, 15);
    proof[0] = new Uint8Array(proof[0]!).fill(0);
    expect((await post(5, next, proof)).status).toBe(422);
    expect(JSON.parse(await readFile(statePath, 'utf8')).logs[log.origin].size).toBe(5);
  });

  it('answers 404 for an unknown log, 403 for a bad log signature, 400 for nonsense', async () => {
    await start();
    const stranger = memoryLog('elsewhere.example/ledger', seed(9));
    expect((await post(0, stranger.append(batch(0, 2)))).status).toBe(404);
    const impostor = memoryLog(log.origin, seed(3)); // same origin, another key
    expect((await post(0, impostor.append(batch(0, 2)))).status).toBe(403);
    expect((await post(3, log.append(batch(0, 2)))).status).toBe(400); // old size > size
    const garbage = await fetch(`${running!.url}/add-checkpoint`, { method: 'POST', body: 'hello\n' });
    expect(garbage.status).toBe(400);
    expect((await fetch(`${running!.url}/add-checkpoint`)).status).toBe(405);
    expect((await fetch(`${running!.url}/elsewhere`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('keeps its state across a restart', async () => {
    await start();
    await post(0, log.append(batch(0, 40)));
    await running!.close();
    running = undefined;
    await start();
    const next = log.append(batch(40, 2));
    const conflict = await post(0, next);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toBe('40\n');
    expect((await post(40, next, log.consistencyProof(40, 42))).status).toBe(200);
  });

  it('serializes requests for one log: two pushes from the same state cannot both win', async () => {
    await start();
    await post(0, log.append(batch(0, 4)));
    const a = log.append(batch(4, 1));
    const proofA = log.consistencyProof(4, 5);
    const b = log.append(batch(5, 1));
    const proofB = log.consistencyProof(4, 6);
    const answers = await Promise.all([post(4, a, proofA), post(4, b, proofB), post(4, a, proofA), post(4, b, proofB)]);
    const won = answers.filter((x) => x.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((x) => x.status === 409)).toHaveLength(3);
    const size = JSON.parse(await readFile(statePath, 'utf8')).logs[log.origin].size as number;
    expect([5, 6]).toContain(size);
  });

  it('refuses to start on a damaged state file rather than forget what it cosigned', async () => {
    await writeFile(statePath, '{"version":1,"logs":{"x":{"size":-1}}}');
    await expect(openWitnessState(statePath)).rejects.toBeInstanceOf(WitnessStateError);
    await writeFile(statePath, 'not json');
    await expect(openWitnessState(statePath)).rejects.toBeInstanceOf(WitnessStateError);
  });

  it('does not cosign when the state cannot be persisted', async () => {
    const state = await openWitnessState(join(dir, 'missing-dir-is-a-file', 'state.json'));
    await writeFile(join(dir, 'missing-dir-is-a-file'), 'a file where a directory should be');
    const witness = createWitness({ cosigners: [cosigner], logs: logsFromVkeys([log.signer.verifier.vkey]), state });
    await expect(witness.addCheckpoint(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: log.append(batch(0, 1)) }))).rejects.toThrow();
    expect(state.get(log.origin)).toBeUndefined();
  });
});

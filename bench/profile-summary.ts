import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile DIR`): self
 * time by layer (SQLite, Ed25519, Fastify, undici, Kysely, the pipeline, …)
 * and the hottest functions. Native frames (better-sqlite3's step, OpenSSL's
 * Ed25519) have no script URL; their time goes to the layer of the nearest
 * caller that has one, so a fsync inside COMMIT counts as SQLite.
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [--top 30] [--window A:B]
 *
 * `--window A:B` keeps only the samples from A to B seconds after the
 * profile's start (the measured work, without the process's start or its idle
 * minutes); `--timeline` prints the busy share of each second, to find them. The last table charges every
 * sample to the innermost project function on its stack (src/…), libraries
 * and native code included: which of our functions the time is spent under.
 *
 * Profile without --counters where you can: with it, Ed25519's native time
 * lands in the caller of the timing wrapper (the SDK), not in node crypto.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The layer a script belongs to. */
function layerOf(url: string, functionName: string): string | undefined {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'v8/native, no JS frame';
    return undefined;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === 'better-sqlite3') return 'sqlite (better-sqlite3)';
  if (pkg === 'kysely') return url.includes('/dialect/sqlite/') ? 'sqlite (better-sqlite3)' : 'kysely (query building)';
  if (pkg === 'fastify' || pkg?.startsWith('@fastify/') || ['find-my-way', 'light-my-request', 'avvio', 'fast-json-stringify', 'pino', 'abstract-logging', 'toad-cache', 'fast-querystring'].includes(pkg ?? '')) return 'fastify';
  if (pkg === 'prom-client') return 'prom-client (metrics)';
  if (pkg === 'undici') return 'undici (egress)';
  if (pkg) return `npm ${pkg}`;
  const src = /\/src\/([^/]+)\//.exec(url)?.[1];
  if (src === 'sdk') return url.includes('/verify') ? 'sdk verify (JS)' : url.includes('/sign') ? 'sdk sign (JS)' : 'sdk (JS)';
  if (src) return `src/${src}`;
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node crypto (JS side)';
  if (/^node:(internal\/)?(_http|http)/.test(url)) return 'node http';
  if (/^node:(internal\/)?(net|stream|streams|stream_base|dns)/.test(url) || url.includes('stream_base_commons')) return 'node net/streams';
  if (url.startsWith('node:internal/process/task_queues') || url.startsWith('node:internal/timers') || url.startsWith('node:timers')) return 'node event loop (ticks, timers)';
  if (url.startsWith('node:')) return 'node other';
  return 'other';
}

function summarise(file: string, top: number, window: [number, number] | undefined, timeline: boolean): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const at: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) at.push((clock += delta));
  const [from, to] = window === undefined ? [-Infinity, Infinity] : [profile.startTime + window[0] * 1e6, profile.startTime + window[1] * 1e6];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Self time per node from the sample deltas (µs).
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    if ((at[i] as number) < from || (at[i] as number) >= to) continue;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0));
  }

  const layerCache = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached) return cached;
    const node = byId.get(id) as ProfileNode;
    // The --counters wrappers hold the native time of what they wrap: count it where the caller is.
    const up0 = parent.get(id);
    if (node.callFrame.url.includes('bench/servers/counters') && up0 !== undefined) {
      const inherited = layerOfNode(up0);
      layerCache.set(id, inherited);
      return inherited;
    }
    let layer = layerOf(node.callFrame.url, node.callFrame.functionName);
    if (!layer) {
      // A native frame: name it after the nearest caller with a script, and say it is native.
      const up = parent.get(id);
      const fn = node.callFrame.functionName;
      const callerLayer = up === undefined ? 'root' : layerOfNode(up);
      if (/^(sign|verify|oneShotDigest|Hash|digest|update)$/.test(fn) || /crypto/.test(callerLayer)) layer = 'ed25519/sha (native)';
      else layer = callerLayer.startsWith('sqlite') ? 'sqlite (better-sqlite3)' : `${callerLayer} (native)`;
    }
    layerCache.set(id, layer);
    return layer;
  };

  const seconds: string[] = [];
  if (timeline) {
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const buckets: Array<[number, number]> = [];
    profile.samples.forEach((id, i) => {
      const s = Math.floor(((at[i] as number) - profile.startTime) / 1e6);
      const bucket = (buckets[s] ??= [0, 0]);
      const us = Math.max(0, profile.timeDeltas[i] ?? 0);
      bucket[1] += us;
      if (!idle.has(id)) bucket[0] += us;
    });
    seconds.push('busy share per second from the start:', buckets.map((b, s) => `${s}:${b ? Math.round((100 * b[0]) / Math.max(1, b[1])) : 0}%`).join(' '), '');
  }

  let total = 0;
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    total += us;
    const layer = layerOfNode(id);
    layers.set(layer, (layers.get(layer) ?? 0) + us);
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${frame.lineNumber + 1}` : '(native)';
    const key = `${frame.functionName || '(anonymous)'}  ${where}  [${layer}]`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const busy = total - (layers.get('idle') ?? 0);
  const pct = (us: number, of: number) => `${((100 * us) / of).toFixed(1).padStart(5)}%`;
  const lines = [`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle`, '', ...seconds, 'self time by layer (% of not-idle):'];
  for (const [layer, us] of [...layers].sort((a, b) => b[1] - a[1])) {
    if (layer === 'idle') continue;
    lines.push(`  ${pct(us, busy)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${layer}`);
  }
  lines.push(`  (idle ${pct(layers.get('idle') ?? 0, total)} of all samples)`, '', `top ${top} functions by self time (% of not-idle):`);
  const hottest = [...functions].filter(([key]) => !key.endsWith('[idle]')).sort((a, b) => b[1] - a[1]);
  for (const [key, us] of hottest.slice(0, top)) lines.push(`  ${pct(us, busy)}  ${key}`);

  const under = new Map<string, number>();
  for (const [id, us] of self) {
    if (layerOfNode(id) === 'idle') continue;
    let node: number | undefined = id;
    let owner = '(no project frame)';
    while (node !== undefined) {
      const frame = (byId.get(node) as ProfileNode).callFrame;
      if (/\/src\/[^/]+\//.test(frame.url) && !frame.url.includes('node_modules')) {
        owner = `${frame.functionName || '(anonymous)'}  ${frame.url.replace(/^.*\/src\//, 'src/')}:${frame.lineNumber + 1}`;
        break;
      }
      node = parent.get(node);
    }
    under.set(owner, (under.get(owner) ?? 0) + us);
  }
  lines.push('', `top ${top} project functions, with what they call (% of not-idle):`);
  for (const [key, us] of [...under].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us, busy)}  ${key}`);
  return lines;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 30 : Number(args[topAt + 1]);
const windowAt = args.indexOf('--window');
const window = windowAt === -1 ? undefined : ((args[windowAt + 1] ?? '').split(':').map(Number) as [number, number]);
const timeline = args.includes('--timeline');
const valueAt = new Set([topAt, windowAt].filter((at) => at !== -1).map((at) => at + 1));
const files = args.filter((a, i) => !['--top', '--window', '--timeline'].includes(a) && !valueAt.has(i));
if (files.length === 0) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile… [--top N] [--window A:B] [--timeline]\n');
  process.exit(2);
}
for (const file of files) process.stdout.write(`${summarise(file, top, window, timeline).join('\n')}\n\n`);

import { exchangeSection } from './sections/exchange.js';

/**
 * `npm run bench [-- --json] [--duration s] [--connections n] [--workers n] [--synchronous FULL|NORMAL] [--only section]`
 * Each section compares against a baseline measured in the same run; the
 * figures that matter are the ratios (the machines are shared and noisy).
 */
export interface BenchOptions {
  json: boolean;
  duration: number;
  connections: number;
  workers: number;
  synchronous: 'FULL' | 'NORMAL';
}

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] as string);
};
const options: BenchOptions = {
  json: args.includes('--json'),
  duration: Number(flag('duration', '10')),
  connections: Number(flag('connections', '32')),
  workers: Number(flag('workers', '2')),
  synchronous: flag('synchronous', 'FULL') === 'NORMAL' ? 'NORMAL' : 'FULL',
};

const sections: Record<string, (o: BenchOptions) => Promise<Record<string, unknown>>> = {
  exchange: exchangeSection,
};

const only = flag('only', '');
const result: Record<string, unknown> = {};
for (const [name, run] of Object.entries(sections)) {
  if (only && only !== name) continue;
  Object.assign(result, await run(options));
}

if (options.json) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const g = result.gateway as { rps: number; p50_ms: number; p99_ms: number } | undefined;
  const p = result.proxy as { rps: number; p50_ms: number; p99_ms: number } | undefined;
  if (g && p) {
    console.log('\n              rps      p50 ms   p99 ms');
    console.log(`gateway  ${String(g.rps).padStart(8)} ${String(g.p50_ms).padStart(10)} ${String(g.p99_ms).padStart(8)}`);
    console.log(`proxy    ${String(p.rps).padStart(8)} ${String(p.p50_ms).padStart(10)} ${String(p.p99_ms).padStart(8)}`);
    console.log(`ratio gateway/proxy: ${String(result.ratio)}`);
  }
  const crypto = result.crypto as { sign_per_s: number; verify_per_s: number } | undefined;
  if (crypto) console.log(`Ed25519 on one core: ${crypto.sign_per_s} sign/s, ${crypto.verify_per_s} verify/s`);
  for (const [key, value] of Object.entries(result)) {
    if (!['gateway', 'proxy', 'ratio', 'crypto'].includes(key)) console.log(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
}
process.exit(0);

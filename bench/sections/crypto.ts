import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Section } from '../lib/section.js';
import { whole } from '../lib/section.js';

/**
 * The crypto bound: Ed25519 sign and verify per second with node:crypto on one
 * core (this process, nothing else running), KeyObjects made once, over a
 * message the size of a Rabta signature base. An exchange costs the gateway
 * one verify (the client's request) and two signs (the forward, the response),
 * which gives the ceiling printed next to the gateway's throughput.
 */

const BASE_BYTES = 400;
const ROUNDS = 5;
const ROUND_MS = 400;

/** Best of several short rounds: on a shared machine the best round is the least disturbed one. */
function rate(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn();
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ROUND_MS) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      now = performance.now();
    }
    best = Math.max(best, (n * 1000) / (now - start));
  }
  return best;
}

export const cryptoSection: Section = {
  name: 'crypto',
  async run({ log }) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const base = Buffer.alloc(BASE_BYTES, 'x');
    const signature = sign(null, base, privateKey);
    log('crypto: Ed25519 sign and verify on one core');
    const signPerS = rate(() => sign(null, base, privateKey));
    const verifyPerS = rate(() => verify(null, base, publicKey, signature));
    const ceiling = 1 / (2 / signPerS + 1 / verifyPerS);
    log(`crypto: sign ${whole(signPerS)}/s, verify ${whole(verifyPerS)}/s`);
    return {
      json: { crypto: { sign_per_s: Math.round(signPerS), verify_per_s: Math.round(verifyPerS), exchange_ceiling_per_core: Math.round(ceiling) } },
      report: [
        `Ed25519, node:crypto, one core, ${BASE_BYTES}-byte base: sign ${whole(signPerS)}/s, verify ${whole(verifyPerS)}/s`,
        `  an exchange = 1 verify + 2 signs (forward, response): crypto alone caps it at ${whole(ceiling)}/s per core`,
      ],
    };
  },
};

import { createSmsc } from '../smsc/smsc.js';
import type { Smsc } from '../smsc/smsc.js';

/**
 * The demo's mobile network: a small SMSC that prints every SMS Rabta sends.
 * It starts before the instance, and the instance is pointed at it through
 * RABTA_SMPP_URL — the same setting an operator gives for a real SMSC — so the
 * demo's sign-in codes and consent requests travel over real SMPP.
 */
export async function startDemoSmsc(env: Record<string, string | undefined>, port = Number(process.env.RABTA_DEMO_SMSC_PORT ?? 2775)): Promise<Smsc> {
  const smsc = createSmsc({ systemId: 'rabta', password: 'rabta-dev', write: (line) => process.stdout.write(`[SMSC] ${line}\n`) });
  const bound = await smsc.listen(port, '127.0.0.1');
  env.RABTA_SMPP_URL ??= `smpp://rabta:rabta-dev@127.0.0.1:${bound}`;
  return smsc;
}

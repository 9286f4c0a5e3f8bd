import { createSmsc } from '../smsc/smsc.js';
import type { Smsc } from '../smsc/smsc.js';
import { demoPorts, listenAs } from './ports.js';

/**
 * The demo's mobile network: a small SMSC that prints every SMS Rabta sends.
 * It starts before the instance, and the instance is pointed at it through
 * RABTA_SMPP_URL — the same setting an operator gives for a real SMSC — so the
 * demo's sign-in codes and consent requests travel over real SMPP. Its port
 * follows PORT (PORT+1) unless RABTA_DEMO_SMSC_PORT says otherwise.
 */
export async function startDemoSmsc(env: Record<string, string | undefined>, port = demoPorts(env).smsc): Promise<Smsc & { port: number }> {
  const smsc = createSmsc({ systemId: 'rabta', password: 'rabta-dev', write: (line) => process.stdout.write(`[SMSC] ${line}\n`) });
  const bound = await listenAs('demo SMSC', '127.0.0.1', port, 'RABTA_DEMO_SMSC_PORT', () => smsc.listen(port, '127.0.0.1'));
  env.RABTA_SMPP_URL ??= `smpp://rabta:rabta-dev@127.0.0.1:${bound}`;
  return Object.assign(smsc, { port: bound });
}

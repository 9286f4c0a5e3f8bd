import { freePort, startTestInstance } from '../../src/platform/testing.js';
import type { TestInstance } from '../../src/platform/testing.js';
import type { Smsc } from '../smsc/smsc.js';
import { startDemo, startDemoSmsc } from './index.js';

/** Every side port taken free: no test depends on a fixed port. */
export const FREE_PORTS = { smsc: 0, upstreams: 0, witnesses: { nadra: 0, hbl: 0 } };

export interface DemoUnderTest {
  t: TestInstance;
  smsc: Smsc & { port: number };
  demo: Awaited<ReturnType<typeof startDemo>>;
  close(): Promise<void>;
}

/**
 * The demo as `npm start` runs it, for tests: the SMSC first, the instance
 * listening on a port chosen before it starts (signatures cover the public
 * URL), then the demo federation with its upstreams and witness on free ports.
 */
export async function startDemoUnderTest(env: Record<string, string> = {}, dialect: 'sqlite' | 'postgres' = 'sqlite', postgresUrl: string | null = null): Promise<DemoUnderTest> {
  const smppEnv: Record<string, string | undefined> = {};
  const smsc = await startDemoSmsc(smppEnv, 0);
  const port = await freePort();
  const t = await startTestInstance(dialect, postgresUrl, { env: { PORT: String(port), RABTA_SMPP_URL: smppEnv.RABTA_SMPP_URL as string, ...env } });
  await t.app.listen({ port, host: '127.0.0.1' });
  const demo = await startDemo(t.platform, { smscPort: smsc.port, ports: FREE_PORTS });
  return {
    t,
    smsc,
    demo,
    async close() {
      await demo.stop();
      await t.close();
      await smsc.close();
    },
  };
}

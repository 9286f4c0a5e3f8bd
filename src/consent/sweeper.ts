import type { Jobs, PeriodicJob } from '../core/index.js';
import type { ConsentDeps } from './deps.js';
import { forgetOldUsage } from './frequency.js';
import { expireDue } from './lifecycle.js';

const DAY = 86_400_000;

/**
 * Housekeeping on an interval: expires consents whose time is up (the
 * legal-basis check refuses them at use anyway, so a late sweep is never a
 * leak), and forgets old usage windows (the citizens module forgets its own
 * spent OTPs and rate windows).
 */
export async function sweepOnce(deps: ConsentDeps): Promise<{ expired: number }> {
  let expired = 0;
  for (;;) {
    const n = await expireDue(deps);
    expired += n;
    if (n === 0) break;
  }
  await forgetOldUsage(deps.db, deps.now() - 62 * DAY);
  return { expired };
}

export function createSweeper(deps: ConsentDeps, jobs: Jobs) {
  let job: PeriodicJob | undefined;
  return {
    start(intervalMs: number) {
      job ??= jobs.every('consent-sweep', intervalMs, () => sweepOnce(deps));
    },
    async stop() {
      await job?.stop();
      job = undefined;
    },
  };
}

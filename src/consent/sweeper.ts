import type { Jobs, PeriodicJob } from '../core/index.js';
import type { ConsentDeps } from './deps.js';
import { forgetOldUsage } from './frequency.js';
import { expireDue } from './lifecycle.js';
import { forgetOldWindows } from './throttle.js';

const DAY = 86_400_000;

/**
 * Housekeeping on an interval: expires consents whose time is up (the
 * legal-basis check refuses them at use anyway, so a late sweep is never a
 * leak), and forgets spent OTPs, old rate windows and old usage windows.
 */
export async function sweepOnce(deps: ConsentDeps): Promise<{ expired: number }> {
  let expired = 0;
  for (;;) {
    const n = await expireDue(deps);
    expired += n;
    if (n === 0) break;
  }
  const now = deps.now();
  await deps.db.deleteFrom('citizen_otps').where('created_at', '<', now - DAY).execute();
  await forgetOldWindows(deps.db, now - 2 * DAY);
  await forgetOldUsage(deps.db, now - 62 * DAY);
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

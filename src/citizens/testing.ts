import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { CitizensTables } from './tables.js';

/**
 * Test support for other modules' tests: the rows the citizens module keeps
 * (who is registered, the texts sent to them), read (and, to stage a crash,
 * written) without naming its tables.
 */
export const citizensRows = (db: Connection) => {
  const tables = tablesOf<CitizensTables>(db);
  return {
    citizens: () => tables.selectFrom('citizens').selectAll().execute(),
    /** a subject's notifications, oldest first */
    notifications: (subjectHash: string, template?: string) => {
      let query = tables.selectFrom('citizen_notifications').selectAll().where('subject_hash', '=', subjectHash);
      if (template !== undefined) query = query.where('template', '=', template);
      return query.orderBy('at').orderBy('id').execute();
    },
    /** as if node `claimedBy` had claimed notification `id` at `claimedAt` and died before it could say "sent" */
    claimNotification: (id: string, claimedBy: string, claimedAt: number) =>
      tables.updateTable('citizen_notifications').set({ status: 'sending', claimed_by: claimedBy, claimed_at: claimedAt }).where('id', '=', id).execute(),
  };
};

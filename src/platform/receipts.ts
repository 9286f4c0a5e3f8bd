import type { LeafKind } from '../core/index.js';
import type { Platform } from './types.js';

/**
 * A receipt as every route hands it out (the exchange's, the citizen's, the
 * portal's): the ledger's record, salt and tlog-proof, with the log key and
 * the witnesses' keys in force to check it offline.
 */
export function receiptsOf(platform: Pick<Platform, 'ledger' | 'publicKeys'>) {
  return async (kind: LeafKind, ref: string) => {
    const receipt = await platform.ledger.receipt(kind, ref);
    if (!receipt) return undefined;
    const keys = (await platform.publicKeys?.()) ?? [];
    return { ...receipt, logVkey: platform.ledger.vkey, witnessVkeys: keys.filter((k) => k.use === 'witness').map((k) => k.vkey as string) };
  };
}

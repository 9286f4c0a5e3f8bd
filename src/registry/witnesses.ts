import { randomUUID } from 'node:crypto';
import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { WitnessRow } from './tables.js';
import { change, conflictOnDuplicate, iso, requireMemberScope } from './deps.js';
import type { RegistryDeps } from './deps.js';
import { getMember } from './members.js';

export interface Witness {
  id: string;
  memberId: string;
  name: string;
  vkey: string;
  url: string;
  createdAt: string;
}

/** A C2SP cosignature vkey: `<name>+<8 hex>+<base64 of 0x04 ‖ 32-byte key>`. */
const COSIGNATURE_VKEY = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]{44})$/;

export async function addWitness(deps: RegistryDeps, actor: Actor, input: { memberId: string; vkey: string; url: string }): Promise<Witness> {
  requireMemberScope(actor, input.memberId);
  await getMember(deps, input.memberId);
  const match = COSIGNATURE_VKEY.exec(input.vkey);
  const keyBytes = match ? Buffer.from(match[3] as string, 'base64') : undefined;
  if (!match || keyBytes?.length !== 33 || keyBytes[0] !== 0x04) {
    throw new RabtaError('bad-request', 'vkey must be a C2SP cosignature verifier key (name+keyid+base64(0x04‖key))');
  }
  const row: WitnessRow = { id: randomUUID(), member_id: input.memberId, name: match[1] as string, vkey: input.vkey, url: checkUrl(input.url), created_at: deps.now() };
  await conflictOnDuplicate('witness', row.name, () =>
    change(deps, actor, 'witness.add', row.name, { member: row.member_id, vkey: row.vkey, url: row.url }, (db) => db.insertInto('witnesses').values(row).execute()),
  );
  return toWitness(row);
}

/** A witness moved: later checkpoints are pushed to its new address (journaled like the registration). */
export async function updateWitnessUrl(deps: RegistryDeps, actor: Actor, name: string, rawUrl: string): Promise<Witness> {
  const row = await deps.db.selectFrom('witnesses').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw new RabtaError('not-found', `no witness ${name}`);
  requireMemberScope(actor, row.member_id);
  const url = checkUrl(rawUrl);
  if (url === row.url) return toWitness(row);
  await change(deps, actor, 'witness.update', name, { url }, (db) => db.updateTable('witnesses').set({ url }).where('name', '=', name).execute());
  return toWitness({ ...row, url });
}

function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RabtaError('bad-request', `url "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RabtaError('bad-request', 'a witness url is http or https');
  return url.toString();
}

export async function listWitnesses(deps: RegistryDeps): Promise<Witness[]> {
  return (await deps.db.selectFrom('witnesses').selectAll().orderBy('name').execute()).map(toWitness);
}

function toWitness(row: WitnessRow): Witness {
  return { id: row.id, memberId: row.member_id, name: row.name, vkey: row.vkey, url: row.url, createdAt: iso(row.created_at) as string };
}

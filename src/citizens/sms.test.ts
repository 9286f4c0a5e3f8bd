import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { loadOrCreateKeyring } from '../keyring/index.js';
import { memoryMessenger } from '../notify/index.js';
import type { Registry } from '../registry/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { freshDatabase } from '../store/testing.js';
import type { TestDatabase } from '../store/testing.js';
import { citizensMigrations, createCitizens } from './index.js';
import type { SmsCommand, SmsContext } from './index.js';
import type { CitizensTables } from './tables.js';

/** The SMS line's dispatcher on its own: a table of commands asked in order, the help text when none takes a text. */
describe('the SMS dispatcher', () => {
  let database: TestDatabase;
  let store: Store;
  const messenger = memoryMessenger();
  let citizens: ReturnType<typeof createCitizens>;

  beforeAll(async () => {
    database = await freshDatabase('sqlite', null);
    store = openStore({ dataDir: database.dataDir, migrations: [citizensMigrations] });
    await store.migrate();
    const keyring = await loadOrCreateKeyring(join(database.dataDir, 'keys.json'), { create: true });
    // The dispatcher never asks the registry; only the self-service command names institutions.
    const registry = {} as unknown as Registry;
    citizens = createCitizens({ db: store.tables(), registry, keyring, messenger, publicUrl: 'http://rabta.test', now: Date.now });
    await citizens.registerCitizen(SYSTEM_ACTOR, { cnic: '35202-1234567-1', mobile: '+923001234567', language: 'en' });
    await citizens.registerCitizen(SYSTEM_ACTOR, { cnic: '35202-1234567-2', mobile: '+923001234567', language: 'ur' });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const recording = (name: string, takes: (sms: SmsContext) => boolean, seen: string[]): SmsCommand => ({
    name,
    handle: async (sms) => {
      seen.push(name);
      return takes(sms) ? { outcome: name } : undefined;
    },
  });

  it('asks the commands in the order of its table, and the first that takes the text answers', async () => {
    const seen: string[] = [];
    let context: SmsContext | undefined;
    const dispatch = citizens.smsDispatcher([
      recording('cases', () => false, seen),
      { name: 'consent', handle: async (sms) => ((context = sms), { outcome: 'consent' }) },
      recording('never asked', () => true, seen),
    ]);
    expect(await dispatch({ from: '03001234567', text: 'HAAN 4821' })).toEqual({ outcome: 'consent' });
    expect(seen).toEqual(['cases']);
    // The phone's number in E.164, its household's citizens oldest first, and the first one's language.
    expect(context).toMatchObject({ mobile: '+923001234567', language: 'en', text: 'HAAN 4821' });
    expect(context?.citizens.map((c) => c.maskedCnic)).toEqual(['35202-*****67-1', '35202-*****67-2']);
  });

  it('answers a text no command takes with the help text, in the phone’s language (Urdu for an unknown number)', async () => {
    const dispatch = citizens.smsDispatcher([recording('cases', () => false, [])]);
    messenger.clear();
    expect(await dispatch({ from: '+923001234567', text: 'what is this?' })).toEqual({ outcome: 'help' });
    expect(await dispatch({ from: '+923009999999', text: 'kya hai' })).toEqual({ outcome: 'help' });
    expect(messenger.sent.map((m) => [m.mobile, m.template, m.language])).toEqual([
      ['+923001234567', 'help', 'en'],
      ['+923009999999', 'help', 'ur'],
    ]);
  });

  it('asks no command and sends nothing for a sender that is not a phone number', async () => {
    const seen: string[] = [];
    messenger.clear();
    expect(await citizens.smsDispatcher([recording('cases', () => true, seen)])({ from: 'RABTA', text: 'HAAN 4821' })).toEqual({ outcome: 'help' });
    expect(seen).toEqual([]);
    expect(messenger.sent).toEqual([]);
  });

  it('lets a command answer the sender without keeping the answer in anyone’s history', async () => {
    messenger.clear();
    const dispatch = citizens.smsDispatcher([{ name: 'ask back', handle: async (sms) => (await sms.reply('consent-ambiguous', { code: '4821' }), { outcome: 'asked' }) }]);
    expect(await dispatch({ from: '+923001234567', text: 'ji 4821' })).toEqual({ outcome: 'asked' });
    expect(messenger.last('+923001234567')?.text).toContain('HAAN 4821');
    expect(await store.tables<CitizensTables>().selectFrom('citizen_notifications').select('template').where('template', '=', 'consent-ambiguous').execute()).toEqual([]);
  });
});

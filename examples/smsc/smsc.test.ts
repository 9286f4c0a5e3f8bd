import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmppChannel } from '../../src/notify/smpp-channel.js';
import { createSmsc } from './smsc.js';
import type { Smsc } from './smsc.js';

const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function start(lines: string[] = []): Promise<{ smsc: Smsc; port: number }> {
  const smsc = createSmsc({ systemId: 'demo', password: 'demo-pass', write: (line) => lines.push(line) });
  open.push(smsc);
  return { smsc, port: await smsc.listen(0) };
}

/** A bare client from the `smpp` package, to poke the SMSC with what Rabta's channel would never send. */
function bareClient(port: number): Promise<smpp.Session> {
  return new Promise((resolve, reject) => {
    const session = smpp.connect({ host: '127.0.0.1', port }, () => resolve(session));
    session.on('error', reject);
    open.push({ close: () => new Promise((done) => session.destroy(() => done())) });
  });
}

function ask(session: smpp.Session, command: string, fields: Record<string, unknown>): Promise<smpp.PDU> {
  return new Promise((resolve) => session.send(new smpp.PDU(command, fields), resolve));
}

describe('the example SMSC', () => {
  it('narrates each part: decoded text, part x/y, encoding — with the number masked as the platform masks it (maskPhone)', async () => {
    const lines: string[] = [];
    const { smsc, port } = await start(lines);
    const channel = createSmppChannel({ host: '127.0.0.1', port, systemId: 'demo', password: 'demo-pass', source: '8171', deliveryReceipts: false });
    open.push(channel);
    await channel.ready(2000);
    await channel.send({ to: '+923001234567', text: 'ب'.repeat(71) });
    expect(lines).toContain('[smsc] bind_transceiver accepted for "demo"');
    expect(lines).toContain(`[smsc] submit_sm 00000001 from 8171 to +92300****567, ucs2, part 1/2 (ref ${smsc.received[0]?.concat?.reference}): ${'ب'.repeat(67)}`);
    expect(lines.at(-1)).toMatch(/^\[smsc\] submit_sm 00000002 from 8171 to \+92300\*\*\*\*567, ucs2, part 2\/2 \(ref \d+\): بببب$/);
    expect(smsc.received.map((r) => [r.registeredDelivery, r.sourceTon])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('refuses wrong credentials and submit_sm before a bind', async () => {
    const { smsc, port } = await start();
    const client = await bareClient(port);
    expect((await ask(client, 'submit_sm', { destination_addr: '923001234567', short_message: Buffer.from('x') })).command_status).toBe(0x04);
    expect((await ask(client, 'bind_transceiver', { system_id: 'demo', password: 'guess' })).command_status).toBe(0x0e);
    expect((await ask(client, 'bind_transceiver', { system_id: 'demo', password: 'demo-pass' })).command_status).toBe(0);
    expect(smsc.boundSessions).toBe(1);
    const accepted = await ask(client, 'submit_sm', { destination_addr: '923001234567', data_coding: 0, short_message: Buffer.from([0x00, 0x1b, 0x65]) });
    expect(accepted.command_status).toBe(0);
    expect(accepted.message_id).toBe('00000001');
    expect(smsc.received[0]).toMatchObject({ text: '@€', shortMessage: Buffer.from([0x00, 0x1b, 0x65]), dataCoding: 0, esmClass: 0 });
  });

  it('cannot deliver when nobody is bound to receive', async () => {
    const { smsc } = await start();
    await expect(smsc.deliverToClient('+923001234567', 'HAAN 1234')).rejects.toThrow(/no client is bound/);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSmsc } from '../../examples/smsc/smsc.js';
import type { Smsc } from '../../examples/smsc/smsc.js';
import { RabtaError } from '../core/index.js';
import { decodeUcs2 } from './encoding.js';
import { createSmppChannel, sourceAddress } from './smpp-channel.js';
import type { SmppChannel, SmppChannelOptions } from './smpp-channel.js';
import type { DeliveryReceipt, InboundMessage, NotifyLogger } from './types.js';

/**
 * Against a real SMPP peer: the example SMSC, over TCP on 127.0.0.1, with
 * timings shrunk so that drops, reconnects and time-outs take milliseconds.
 */

const CITIZEN = '+923001234567';
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

function recordingLogger(): NotifyLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (object: object, message?: string) => lines.push(`${message ?? ''} ${JSON.stringify(object)}`);
  return { lines, debug: record, info: record, warn: record, error: record };
}

async function startSmsc(port = 0, options: Parameters<typeof createSmsc>[0] = {}): Promise<{ smsc: Smsc; port: number }> {
  const smsc = createSmsc({ systemId: 'rabta', password: 'test-password', ...options });
  open.push(smsc);
  return { smsc, port: await smsc.listen(port) };
}

/**
 * Runs `start` with the timers and clock faked, moving virtual time on in
 * 10 ms steps until its promise settles (real I/O goes on between steps).
 * Fails loudly past `limitMs` of virtual time. Resolves to the result and the
 * virtual milliseconds it took.
 */
async function inVirtualTime<T>(start: () => Promise<T>, limitMs: number): Promise<{ result: T; elapsed: number }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    const started = Date.now();
    let settled = false;
    const promise = start().finally(() => {
      settled = true;
    });
    while (!settled) {
      if (Date.now() - started > limitMs) throw new Error(`not settled after ${limitMs} ms of virtual time`);
      await vi.advanceTimersByTimeAsync(10);
      // Lets socket callbacks run before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { result: await promise, elapsed: Date.now() - started };
  } finally {
    vi.useRealTimers();
  }
}

function startChannel(port: number, options: Partial<SmppChannelOptions> = {}): SmppChannel {
  const channel = createSmppChannel({
    host: '127.0.0.1',
    port,
    systemId: 'rabta',
    password: 'test-password',
    source: 'RABTA',
    enquireLinkMs: 100,
    responseTimeoutMs: 500,
    connectTimeoutMs: 1000,
    sendTimeoutMs: 1500,
    reconnect: { initialMs: 20, maxMs: 200 },
    ...options,
  });
  open.push(channel); // created after its SMSC, so closed before it
  return channel;
}

/** A three-part Urdu text with a CNIC behind a left-to-right mark (the channel carries any text; this one is fixed so its bytes are). */
const CONSENT_REQUEST_UR = 'رابطہ: HBL کو کھاتہ کھولنا کے لیے NADRA سے آپ کی معلومات درکار ہیں (شناختی کارڈ \u200E35202-*****67-1)۔ اجازت کے لیے ہاں 4821 اور انکار کے لیے نہیں 4821 لکھ کر بھیجیں۔';

describe('SMPP channel against the example SMSC', () => {
  it('sends an English OTP as one GSM-7 part, byte for byte', async () => {
    const { smsc, port } = await startSmsc();
    const logger = recordingLogger();
    const channel = startChannel(port, { logger });
    await channel.ready();
    const text = 'Your Rabta code is 123456. It expires in 5 minutes. Do not share it with anyone.';
    const result = await channel.send({ to: CITIZEN, text });
    expect(result).toEqual({ messageIds: ['00000001'], parts: 1, encoding: 'gsm7' });
    expect(smsc.received).toHaveLength(1);
    const [pdu] = smsc.received;
    // letters, digits, space and '.' sit at their ASCII positions in the GSM default alphabet
    expect(pdu?.shortMessage).toEqual(Buffer.from('Your Rabta code is 123456. It expires in 5 minutes. Do not share it with anyone.', 'ascii'));
    expect(pdu).toMatchObject({ dataCoding: 0x00, esmClass: 0x00, registeredDelivery: 1, source: 'RABTA', sourceTon: 5, destination: '923001234567', destinationTon: 1 });
    expect(logger.lines.join('\n')).not.toMatch(/123456|1234567/);
  });

  it('sends an Urdu consent request as concatenated UCS-2 parts with the exact UDH', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    await channel.ready();
    expect(CONSENT_REQUEST_UR.length).toBeGreaterThan(140);
    const result = await channel.send({ to: CITIZEN, text: CONSENT_REQUEST_UR });
    expect(result.encoding).toBe('ucs2');
    expect(result.parts).toBe(3);
    expect(result.messageIds).toEqual(['00000001', '00000002', '00000003']);
    const parts = smsc.received;
    expect(parts).toHaveLength(3);
    const reference = parts[0]?.shortMessage[3] as number;
    parts.forEach((part, i) => {
      expect(part.dataCoding).toBe(0x08);
      expect(part.esmClass).toBe(0x40);
      expect([...part.shortMessage.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, reference, 3, i + 1]);
    });
    expect(parts.map((p) => p.shortMessage.length)).toEqual([6 + 67 * 2, 6 + 67 * 2, 6 + (CONSENT_REQUEST_UR.length - 134) * 2]);
    expect(decodeUcs2(Buffer.concat(parts.map((p) => p.shortMessage.subarray(6))))).toBe(CONSENT_REQUEST_UR);
    // the next message gets another reference, so a phone never mixes two messages' parts
    await channel.send({ to: CITIZEN, text: CONSENT_REQUEST_UR });
    expect(smsc.received[3]?.shortMessage[3]).toBe((reference + 1) % 256);
  });

  it('hands a citizen’s Urdu reply, single or concatenated, to the one inbound handler', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    const inbound: InboundMessage[] = [];
    channel.onInbound(async (message) => {
      inbound.push(message);
    });
    expect(() => channel.onInbound(async () => {})).toThrow(/already/);
    await channel.ready();
    expect(await smsc.deliverToClient(CITIZEN, 'ہاں 4821')).toEqual([0]);
    expect(inbound).toEqual([{ from: CITIZEN, text: 'ہاں 4821', receivedAt: expect.any(Number) }]);
    const long = 'میری شکایت: '.repeat(12);
    expect(await smsc.deliverToClient(CITIZEN, long)).toEqual([0, 0, 0]);
    expect(inbound[1]).toMatchObject({ from: CITIZEN, text: long });
    expect(await smsc.deliverToClient('+923009999999', 'HAAN 4821')).toEqual([0]);
    expect(inbound[2]).toMatchObject({ from: '+923009999999', text: 'HAAN 4821' });
  });

  it('also reassembles parts an SMSC marks with SAR parameters and sends in message_payload', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    const inbound: InboundMessage[] = [];
    channel.onInbound(async (message) => {
      inbound.push(message);
    });
    await channel.ready();
    const part = (sequence: number, text: string) =>
      smsc.deliverPdu({
        source_addr_ton: 2, // national: the sender is passed on as the SMSC wrote it
        source_addr: '03001234567',
        destination_addr: '8171',
        data_coding: 8,
        short_message: Buffer.alloc(0),
        message_payload: Buffer.from(text, 'utf16le').swap16(),
        sar_msg_ref_num: 0x0102,
        sar_total_segments: 2,
        sar_segment_seqnum: sequence,
      });
    expect(await part(2, 'دوسرا')).toBe(0);
    expect(inbound).toEqual([]);
    expect(await part(1, 'پہلا ')).toBe(0);
    expect(inbound).toEqual([{ from: '03001234567', text: 'پہلا دوسرا', receivedAt: expect.any(Number) }]);
  });

  it('asks the SMSC to retry what it cannot act on yet, and acts on the retry', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    await channel.ready();
    const ESME_RX_T_APPN = 0x64;
    expect(await smsc.deliverToClient(CITIZEN, 'NAHI 4821')).toEqual([ESME_RX_T_APPN]); // no handler yet
    let fail = true;
    const inbound: string[] = [];
    channel.onInbound(async (message) => {
      if (fail) throw new Error('database is busy');
      inbound.push(message.text);
    });
    expect(await smsc.deliverToClient(CITIZEN, 'NAHI 4821')).toEqual([ESME_RX_T_APPN]);
    fail = false;
    expect(await smsc.deliverToClient(CITIZEN, 'NAHI 4821')).toEqual([0]);
    expect(inbound).toEqual(['NAHI 4821']);
  });

  it('parses delivery receipts and ties them to the sender’s reference', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    const receipts: DeliveryReceipt[] = [];
    channel.onDeliveryReceipt(async (receipt) => {
      receipts.push(receipt);
    });
    await channel.ready();
    const { messageIds } = await channel.send({ to: CITIZEN, text: 'Your Rabta code is 654321.', reference: 'notification-17' });
    await vi.waitFor(() => expect(receipts).toHaveLength(1), { timeout: 2000 });
    expect(receipts[0]).toEqual({ messageId: messageIds[0], status: 'delivered', stat: 'DELIVRD', errorCode: '000', reference: 'notification-17', receivedAt: expect.any(Number) });
    expect(await smsc.sendReceipt(messageIds[0] as string, 'UNDELIV')).toBe(0);
    expect(receipts[1]).toMatchObject({ messageId: messageIds[0], status: 'undeliverable', stat: 'UNDELIV' });
  });

  it('reconnects after the SMSC drops the connection, and a later send succeeds', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    await channel.ready();
    expect(smsc.binds).toBe(1);
    smsc.dropConnections();
    await vi.waitFor(() => expect(smsc.binds).toBe(2), { timeout: 3000 });
    await channel.ready();
    const result = await channel.send({ to: CITIZEN, text: 'after the drop' });
    expect(result.parts).toBe(1);
    expect(smsc.received.at(-1)?.text).toBe('after the drop');
  });

  it('notices an SMSC that stops answering enquire_link and binds again', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    await channel.ready();
    await vi.waitFor(() => expect(smsc.enquireLinks).toBeGreaterThanOrEqual(2), { timeout: 2000 });
    smsc.setSilent(true);
    await vi.waitFor(() => expect(smsc.binds).toBe(2), { timeout: 3000 });
    smsc.setSilent(false);
    await channel.ready();
    await expect(channel.send({ to: CITIZEN, text: 'still here' })).resolves.toMatchObject({ parts: 1 });
  });

  it('fails a send within the timeout while the SMSC is down, instead of hanging', async () => {
    const { smsc, port } = await startSmsc();
    // The channel's clock and timers are the test's: the timeout is measured in virtual time, whatever the machine's load.
    const channel = startChannel(port, { sendTimeoutMs: 400, now: () => Date.now() });
    await channel.ready();
    await smsc.close();
    await vi.waitFor(() => expect(channel.state).toBe('connecting'), { timeout: 2000 });
    const { result: error, elapsed } = await inVirtualTime(() => channel.send({ to: CITIZEN, text: 'nobody there' }).catch((e: unknown) => e), 5000);
    expect(error).toBeInstanceOf(RabtaError);
    expect((error as RabtaError).code).toBe('unavailable');
    expect((error as RabtaError).message).toMatch(/could not be reached within 400 ms \(last error: .*\); the message was not sent/);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(500);
  });

  it('holds a send while the link is down and sends it once the SMSC is back', async () => {
    const first = await startSmsc();
    const channel = startChannel(first.port, { sendTimeoutMs: 3000 });
    await channel.ready();
    await first.smsc.close();
    await vi.waitFor(() => expect(channel.state).toBe('connecting'), { timeout: 2000 });
    // Sent while the channel is connecting (waited for above): it is held until the SMSC is back.
    const sending = channel.send({ to: CITIZEN, text: 'queued while down' });
    const second = await startSmsc(first.port);
    await expect(sending).resolves.toMatchObject({ parts: 1, encoding: 'gsm7' });
    expect(second.smsc.received.map((r) => r.text)).toEqual(['queued while down']);
  });

  it('waits out throttling, and reports a refused part by its SMPP status', async () => {
    // The SMSC notes, in the test's virtual time, when it refused and when it accepted.
    const log: Array<{ line: string; at: number }> = [];
    const { smsc, port } = await startSmsc(0, { write: (line) => log.push({ line, at: Date.now() }) });
    // Virtual time runs only as the test moves it, so no request may time out while real I/O is slow.
    const channel = startChannel(port, { sendTimeoutMs: 60_000, responseTimeoutMs: 60_000, enquireLinkMs: 60_000, now: () => Date.now() });
    await channel.ready();
    smsc.refuseSubmits(0x58); // ESME_RTHROTTLED, once
    const { result } = await inVirtualTime(() => channel.send({ to: CITIZEN, text: 'after a pause' }), 10_000);
    expect(result).toMatchObject({ parts: 1 });
    const refusedAt = log.find((l) => l.line.includes('refused'))?.at;
    const acceptedAt = log.find((l) => l.line.includes('after a pause'))?.at;
    expect(refusedAt).toBeDefined();
    expect(acceptedAt! - refusedAt!).toBeGreaterThanOrEqual(1000);
    expect(smsc.received.map((r) => r.text)).toEqual(['after a pause']);
    smsc.refuseSubmits(0x0b); // ESME_RINVDSTADR
    const refused = await channel.send({ to: CITIZEN, text: 'nowhere' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'upstream-unreachable', extensions: { smppStatus: 0x0b } });
    expect((refused as Error).message).toBe('The SMS centre refused part 1/1: ESME_RINVDSTADR (0x0000000B)');
  });

  it('reports a refused bind clearly', async () => {
    const { port } = await startSmsc();
    const channel = startChannel(port, { password: 'wrong' });
    const error = await channel.ready(500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RabtaError);
    expect((error as Error).message).toMatch(/refused the bind: ESME_RINVPASWD/);
  });

  it('refuses texts that need too many parts and bad numbers before touching the link', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port, { maxParts: 2 });
    await channel.ready();
    await expect(channel.send({ to: CITIZEN, text: 'ب'.repeat(200) })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(channel.send({ to: '03001234567', text: 'hi' })).rejects.toMatchObject({ code: 'bad-request' });
    expect(smsc.received).toEqual([]);
  });

  it('unbinds on close, and refuses to send afterwards', async () => {
    const { smsc, port } = await startSmsc();
    const channel = startChannel(port);
    await channel.ready();
    await channel.close();
    expect(channel.state).toBe('closed');
    await vi.waitFor(() => expect(smsc.boundSessions).toBe(0), { timeout: 1000 });
    await expect(channel.send({ to: CITIZEN, text: 'late' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('SMPP source addresses', () => {
  it('infers TON/NPI from the sender', () => {
    expect(sourceAddress('RABTA')).toEqual({ address: 'RABTA', ton: 5, npi: 0 });
    expect(sourceAddress('8171')).toEqual({ address: '8171', ton: 0, npi: 0 });
    expect(sourceAddress('+923001112222')).toEqual({ address: '923001112222', ton: 1, npi: 1 });
    expect(sourceAddress({ address: '8171', ton: 3, npi: 0 })).toEqual({ address: '8171', ton: 3, npi: 0 });
  });
});

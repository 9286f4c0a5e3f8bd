import { PassThrough } from 'node:stream';
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { messageBody, parseMessagePdu, statusName, tapFrames, TLV, tlvNumber, tlvString } from './smpp-wire.js';

describe('SMPP at the byte level', () => {
  it('reads submit_sm and deliver_sm fields as the smpp package writes them', () => {
    const frame = new smpp.PDU('deliver_sm', {
      sequence_number: 42,
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '923001234567',
      destination_addr: '8171',
      esm_class: 0x40,
      data_coding: 8,
      registered_delivery: 1,
      short_message: Buffer.from('0500030a0201062806a9', 'hex'),
      receipted_message_id: 'abc123',
      message_state: 2,
    }).toBuffer();
    const pdu = parseMessagePdu(frame);
    expect(pdu).toMatchObject({
      commandId: 0x05,
      sequenceNumber: 42,
      sourceTon: 1,
      sourceNpi: 1,
      source: '923001234567',
      destination: '8171',
      esmClass: 0x40,
      dataCoding: 8,
      registeredDelivery: 1,
      shortMessage: Buffer.from('0500030a0201062806a9', 'hex'),
    });
    expect(tlvString(pdu, TLV.receipted_message_id)).toBe('abc123');
    expect(tlvNumber(pdu, TLV.message_state)).toBe(2);
  });

  it('takes the body from message_payload when short_message is empty, and reads SAR parameters', () => {
    const frame = new smpp.PDU('deliver_sm', {
      source_addr: '923001234567',
      data_coding: 0,
      short_message: Buffer.alloc(0),
      message_payload: Buffer.from('HAAN 4821'),
      sar_msg_ref_num: 0x1234,
      sar_total_segments: 2,
      sar_segment_seqnum: 1,
    }).toBuffer();
    const pdu = parseMessagePdu(frame);
    expect(messageBody(pdu).toString()).toBe('HAAN 4821');
    expect([tlvNumber(pdu, TLV.sar_msg_ref_num), tlvNumber(pdu, TLV.sar_total_segments), tlvNumber(pdu, TLV.sar_segment_seqnum)]).toEqual([0x1234, 2, 1]);
  });

  it('refuses a frame cut short', () => {
    const frame = new smpp.PDU('submit_sm', { destination_addr: '923001234567', short_message: Buffer.from('hello') }).toBuffer();
    expect(() => parseMessagePdu(frame.subarray(0, 30))).toThrow(RangeError);
  });

  it('reassembles frames from however the bytes arrive', () => {
    const a = new smpp.PDU('enquire_link', { sequence_number: 1 }).toBuffer();
    const b = new smpp.PDU('submit_sm', { sequence_number: 2, short_message: Buffer.from('x') }).toBuffer();
    const stream = new PassThrough();
    const frames: Buffer[] = [];
    tapFrames(stream, (frame) => frames.push(Buffer.from(frame)));
    const all = Buffer.concat([a, b]);
    for (let i = 0; i < all.length; i += 3) stream.write(all.subarray(i, i + 3));
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(frames).toEqual([a, b]);
        resolve();
      }),
    );
  });

  it('names status codes', () => {
    expect(statusName(0x0e)).toBe('ESME_RINVPASWD (0x0000000E)');
    expect(statusName(0x400)).toBe('0x00000400');
  });
});

import type { Readable } from 'node:stream';

/**
 * SMPP 3.4 at the byte level, for the two things the `smpp` package does not
 * give back faithfully: the exact octets of a message body (it decodes
 * short_message through its own alphabet tables, losing what was on the
 * wire) and the names of status codes.
 */

export const COMMAND = {
  submit_sm: 0x00000004,
  deliver_sm: 0x00000005,
} as const;

export const STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RMSGQFUL: 0x14,
  ESME_RTHROTTLED: 0x58,
  /** "receiver temporary application error": the SMSC keeps the message and retries */
  ESME_RX_T_APPN: 0x64,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries(STATUS).map(([name, code]) => [code, name]));

/** `ESME_RINVPASWD (0x0000000E)`, or just the hex for codes without a name here. */
export function statusName(status: number): string {
  const hex = `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;
  const name = STATUS_NAMES.get(status);
  return name ? `${name} (${hex})` : hex;
}

export const TON = { unknown: 0, international: 1, national: 2, networkSpecific: 3, alphanumeric: 5 } as const;
export const NPI = { unknown: 0, isdn: 1 } as const;

export const TLV = {
  receipted_message_id: 0x001e,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

/**
 * Calls `onFrame` with every whole PDU read from the socket, byte for byte.
 * The `smpp` package reads with `read(n)` from 'readable'; a 'data' listener
 * added beside it sees exactly those chunks without changing the flow
 * (Node lets 'readable' govern when both are present), so nothing is read twice.
 */
export function tapFrames(socket: Readable, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUInt32BE(0);
      if (length < 16 || pending.length < length) break;
      onFrame(pending.subarray(0, length));
      pending = pending.subarray(length);
    }
  });
}

export interface MessagePdu {
  commandId: number;
  sequenceNumber: number;
  serviceType: string;
  sourceTon: number;
  sourceNpi: number;
  source: string;
  destinationTon: number;
  destinationNpi: number;
  destination: string;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
  /** the short_message octets exactly as sent */
  shortMessage: Buffer;
  /** optional parameters by tag */
  tlvs: Map<number, Buffer>;
}

/**
 * Reads a submit_sm or deliver_sm frame (they share one layout). Throws on a
 * frame that ends before its mandatory fields do.
 */
export function parseMessagePdu(frame: Buffer): MessagePdu {
  const length = Math.min(frame.readUInt32BE(0), frame.length);
  let offset = 16;
  const byte = (): number => {
    if (offset >= length) throw new RangeError('PDU ends inside its mandatory fields');
    return frame[offset++] as number;
  };
  const cstring = (): string => {
    const end = frame.indexOf(0, offset);
    if (end < 0 || end >= length) throw new RangeError('PDU has an unterminated C-octet string');
    const value = frame.toString('latin1', offset, end);
    offset = end + 1;
    return value;
  };
  const serviceType = cstring();
  const sourceTon = byte();
  const sourceNpi = byte();
  const source = cstring();
  const destinationTon = byte();
  const destinationNpi = byte();
  const destination = cstring();
  const esmClass = byte();
  byte(); // protocol_id
  byte(); // priority_flag
  cstring(); // schedule_delivery_time
  cstring(); // validity_period
  const registeredDelivery = byte();
  byte(); // replace_if_present_flag
  const dataCoding = byte();
  byte(); // sm_default_msg_id
  const smLength = byte();
  if (offset + smLength > length) throw new RangeError('short_message runs past the end of the PDU');
  const shortMessage = Buffer.from(frame.subarray(offset, offset + smLength));
  offset += smLength;
  const tlvs = new Map<number, Buffer>();
  while (offset + 4 <= length) {
    const tag = frame.readUInt16BE(offset);
    const size = frame.readUInt16BE(offset + 2);
    offset += 4;
    if (offset + size > length) break;
    tlvs.set(tag, Buffer.from(frame.subarray(offset, offset + size)));
    offset += size;
  }
  return {
    commandId: frame.readUInt32BE(4),
    sequenceNumber: frame.readUInt32BE(12),
    serviceType,
    sourceTon,
    sourceNpi,
    source,
    destinationTon,
    destinationNpi,
    destination,
    esmClass,
    registeredDelivery,
    dataCoding,
    shortMessage,
    tlvs,
  };
}

/** The message body: short_message, or message_payload when an SMSC sends a long body there instead. */
export function messageBody(pdu: MessagePdu): Buffer {
  return pdu.shortMessage.length === 0 ? (pdu.tlvs.get(TLV.message_payload) ?? pdu.shortMessage) : pdu.shortMessage;
}

/** A TLV holding a C-octet string, without its terminator. */
export function tlvString(pdu: MessagePdu, tag: number): string | undefined {
  const value = pdu.tlvs.get(tag);
  if (!value) return undefined;
  const end = value.indexOf(0);
  return value.toString('latin1', 0, end < 0 ? value.length : end);
}

/** A TLV holding an unsigned integer of 1, 2 or 4 octets. */
export function tlvNumber(pdu: MessagePdu, tag: number): number | undefined {
  const value = pdu.tlvs.get(tag);
  if (!value || value.length === 0) return undefined;
  return value.length === 1 ? (value[0] as number) : value.length === 2 ? value.readUInt16BE(0) : value.readUInt32BE(0);
}

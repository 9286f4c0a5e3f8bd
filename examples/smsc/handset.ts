import smpp from 'smpp';
import { decodeText, encodeSms, ESM_CLASS_UDHI, parseUserData } from '../../src/notify/encoding.js';
import { COMMAND, parseMessagePdu, STATUS, tapFrames, TON } from '../../src/notify/smpp-wire.js';

/**
 * A citizen's phone on the demo SMSC: it binds as a handset, texts the
 * platform's service address over SMPP (submit_sm; the SMSC hands it to the
 * platform as deliver_sm, as a telco would) and waits for the platform's
 * answer to its number, put back together when it came in parts.
 */
export interface HandsetOptions {
  host: string;
  port: number;
  /** the citizen's number, +92… */
  from: string;
  text: string;
  systemId?: string;
  password?: string;
  /** the platform's short code; default 8171 */
  serviceAddress?: string;
  /** how long to wait for the answer; default 20 s */
  timeoutMs?: number;
}

export async function textFromHandset(options: HandsetOptions): Promise<string> {
  if (!/^\+\d{8,15}$/.test(options.from)) throw new Error(`--from must be a mobile number in international form, e.g. +923001234567 (got "${options.from}")`);
  const own = options.from.slice(1);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const session = smpp.connect({ host: options.host, port: options.port, auto_enquire_link_period: 0 });
  let failed: (error: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  session.on('error', (error: NodeJS.ErrnoException) =>
    failed(new Error(`cannot reach the demo SMSC at ${options.host}:${options.port} (${error.code ?? error.message}); is the demo running? (--smsc-port)`)),
  );
  const request = (command: string, fields: Record<string, unknown>) =>
    Promise.race([failure, new Promise<smpp.PDU>((resolve) => session.send(new smpp.PDU(command, fields), resolve))]);

  // The answer, read from the raw frames (the package would re-decode the text); parts by their reference.
  const parts = new Map<number, Map<number, Buffer>>();
  let answered: (text: string) => void = () => undefined;
  const answer = new Promise<string>((resolve) => (answered = resolve));
  tapFrames(session.socket, (frame) => {
    if (frame.readUInt32BE(4) !== COMMAND.deliver_sm) return;
    session.send(new smpp.PDU('deliver_sm_resp', { sequence_number: frame.readUInt32BE(12) }));
    const pdu = parseMessagePdu(frame);
    if (pdu.destination.replace(/^\+/, '') !== own) return;
    const { concat, body } = pdu.esmClass & ESM_CLASS_UDHI ? parseUserData(pdu.shortMessage) : { concat: undefined, body: pdu.shortMessage };
    const whole = (bodies: Buffer[]) => answered(decodeText(Buffer.concat(bodies), pdu.dataCoding) ?? `<${pdu.shortMessage.length} octets, data_coding ${pdu.dataCoding}>`);
    if (!concat || concat.total === 1) return whole([body]);
    const got = parts.get(concat.reference) ?? new Map<number, Buffer>();
    got.set(concat.sequence, body);
    parts.set(concat.reference, got);
    if (got.size === concat.total) whole([...got.entries()].sort(([a], [b]) => a - b).map(([, b]) => b));
  });

  try {
    await Promise.race([failure, new Promise<void>((resolve) => session.once('connect', () => resolve()))]);
    const bound = await request('bind_transceiver', { system_id: options.systemId ?? 'handset', password: options.password ?? 'rabta-dev' });
    if (bound.command_status !== STATUS.ESME_ROK) throw new Error(`the demo SMSC refused the handset's bind (status 0x${bound.command_status.toString(16)})`);
    const encoded = encodeSms(options.text, { reference: Math.floor(Math.random() * 256) });
    for (const part of encoded.parts) {
      const sent = await request('submit_sm', {
        source_addr_ton: TON.international,
        source_addr_npi: 1,
        source_addr: own,
        destination_addr: options.serviceAddress ?? '8171',
        esm_class: encoded.esmClass,
        data_coding: encoded.dataCoding,
        short_message: part,
      });
      if (sent.command_status !== STATUS.ESME_ROK) throw new Error(`the demo SMSC refused the message (status 0x${sent.command_status.toString(16)})`);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ${options.from} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    try {
      return await Promise.race([answer, failure, late]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    session.destroy();
  }
}

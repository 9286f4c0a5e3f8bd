import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { decodeText, encodeSms, ESM_CLASS_UDHI, parseUserData } from '../../src/notify/encoding.js';
import type { Concatenation } from '../../src/notify/encoding.js';
// The one masker the platform shows phones with, so the SMSC's lines and the scenario's agree.
import { maskPhone } from '../../src/notify/index.js';
import { COMMAND, parseMessagePdu, STATUS, tapFrames, TON } from '../../src/notify/smpp-wire.js';

/**
 * A small SMSC for the demo and the tests, on the `smpp` package's server. It
 * accepts binds, acknowledges submit_sm with message ids, prints what it
 * receives, keeps every submitted PDU as it came over the wire, sends
 * delivery receipts, and can deliver a citizen's message to the bound client.
 * It stores nothing and forwards nothing: it is a stand-in for a telco.
 */

export interface SmscOptions {
  systemId?: string;
  password?: string;
  /** the address citizens' messages are sent to (the platform's short code) */
  serviceAddress?: string;
  /** where the SMSC narrates what it sees, one line per call; default: nowhere */
  write?: (line: string) => void;
  /** how long after submit_sm the receipt follows; default 20 ms */
  receiptDelayMs?: number;
  /** the stat: of receipts; default DELIVRD */
  receiptStat?: string;
  /**
   * The system_id of citizens' handsets (`rabta demo sms`), same password: what a
   * handset submits to the service address reaches the platform as deliver_sm,
   * and what the platform submits reaches every bound handset. Default `handset`.
   */
  handsetSystemId?: string;
}

export interface ReceivedSubmit {
  systemId: string;
  sequenceNumber: number;
  messageId: string;
  source: string;
  sourceTon: number;
  destination: string;
  destinationTon: number;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  /** short_message exactly as it came over the wire */
  shortMessage: Buffer;
  /** the part's text, decoded for display */
  text: string;
  concat?: Concatenation;
}

export interface Smsc {
  /** Listens (port 0 picks a free one) and resolves to the port. */
  listen(port?: number, host?: string): Promise<number>;
  readonly received: ReceivedSubmit[];
  /** enquire_link requests seen */
  readonly enquireLinks: number;
  /** sessions bound right now */
  readonly boundSessions: number;
  /** binds accepted since start */
  readonly binds: number;
  /** Sends `text` from `from` to the bound client as deliver_sm (split like any SMS); resolves to each part's deliver_sm_resp status. */
  deliverToClient(from: string, text: string): Promise<number[]>;
  /** Sends one deliver_sm with exactly these fields (for tests of what other SMSCs do); resolves to its response status. */
  deliverPdu(fields: Record<string, unknown>): Promise<number>;
  /** Sends a delivery receipt for `messageId` now. */
  sendReceipt(messageId: string, stat?: string): Promise<number>;
  /** Answers the next `count` submit_sm with `status` instead of accepting them (throttling, a bad number…). */
  refuseSubmits(status: number, count?: number): void;
  /** Stops (or resumes) answering enquire_link, like a hung SMSC. */
  setSilent(silent: boolean): void;
  /** Cuts every connection, as a network failure would; keeps listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

interface SessionState {
  bound: boolean;
  systemId: string;
  mode: 'transceiver' | 'transmitter' | 'receiver';
}

const BINDS = { bind_transceiver: 'transceiver', bind_transmitter: 'transmitter', bind_receiver: 'receiver' } as const;

function receiptDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}`;
}

export function createSmsc(options: SmscOptions = {}): Smsc {
  const systemId = options.systemId ?? 'rabta';
  const password = options.password ?? 'rabta-dev';
  const serviceAddress = options.serviceAddress ?? '8171';
  const write = options.write ?? (() => {});
  const receiptDelayMs = options.receiptDelayMs ?? 20;
  const handsetSystemId = options.handsetSystemId ?? 'handset';
  const received: ReceivedSubmit[] = [];
  const sessions = new Map<smpp.Session, SessionState>();
  const submits = new Map<string, ReceivedSubmit>();
  let enquireLinks = 0;
  let binds = 0;
  let silent = false;
  let refusals: { status: number; count: number } | undefined;
  let nextId = 0;
  let reference = 0;

  const server = smpp.createServer((session) => {
    const state: SessionState = { bound: false, systemId: '', mode: 'transceiver' };
    sessions.set(session, state);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => session.destroy());

    for (const [command, mode] of Object.entries(BINDS)) {
      session.on(command, (pdu: smpp.PDU) => {
        const ok = (pdu.system_id === systemId || pdu.system_id === handsetSystemId) && pdu.password === password && !state.bound;
        if (!ok) {
          write(`[smsc] ${command} refused for "${String(pdu.system_id)}"`);
          session.send(pdu.response({ command_status: state.bound ? STATUS.ESME_RALYBND : STATUS.ESME_RINVPASWD }));
          return;
        }
        Object.assign(state, { bound: true, systemId: pdu.system_id as string, mode });
        if (state.systemId === systemId) binds++;
        write(`[smsc] ${command} accepted for "${state.systemId}"`);
        session.send(pdu.response({ system_id: 'RabtaSMSC' }));
      });
    }
    session.on('enquire_link', (pdu: smpp.PDU) => {
      enquireLinks++;
      if (!silent) session.send(pdu.response());
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      state.bound = false;
      session.send(pdu.response(), () => session.close());
    });
    // submit_sm is answered from the raw frame, so the list holds the octets exactly as sent.
    tapFrames(session.socket, (frame) => {
      if (frame.readUInt32BE(4) === COMMAND.submit_sm) onSubmit(session, state, frame);
    });
  });

  function onSubmit(session: smpp.Session, state: SessionState, frame: Buffer): void {
    const sequence = frame.readUInt32BE(12);
    const answer = (fields: Record<string, unknown>) => session.send(new smpp.PDU('submit_sm_resp', { sequence_number: sequence, ...fields }));
    if (!state.bound || state.mode === 'receiver') {
      answer({ command_status: STATUS.ESME_RINVBNDSTS });
      return;
    }
    if (refusals && refusals.count > 0) {
      refusals.count--;
      write(`[smsc] submit_sm refused with status 0x${refusals.status.toString(16)}`);
      answer({ command_status: refusals.status });
      return;
    }
    const pdu = parseMessagePdu(frame);
    const { concat, body } = pdu.esmClass & ESM_CLASS_UDHI ? parseUserData(pdu.shortMessage) : { concat: undefined, body: pdu.shortMessage };
    const text = decodeText(body, pdu.dataCoding) ?? `<${body.length} octets, data_coding ${pdu.dataCoding}>`;
    const messageId = (++nextId).toString(16).padStart(8, '0');
    const forward = {
      source_addr_ton: pdu.sourceTon,
      source_addr_npi: 1,
      source_addr: pdu.source,
      destination_addr_ton: pdu.destinationTon,
      destination_addr: pdu.destination,
      esm_class: pdu.esmClass & ESM_CLASS_UDHI,
      data_coding: pdu.dataCoding,
      short_message: pdu.shortMessage,
    };
    if (state.systemId === handsetSystemId) {
      // A citizen's handset texting the platform: it is not something the platform sent, so not in `received`.
      answer({ message_id: messageId });
      const part = concat ? `part ${concat.sequence}/${concat.total}` : 'part 1/1';
      write(`[smsc] handset ${maskPhone(`+${pdu.source}`)} → ${pdu.destination}, ${part}: ${text}`);
      void deliver({ ...forward, destination_addr: serviceAddress }, systemId).catch((error: Error) => write(`[smsc] not delivered to the platform: ${error.message}`));
      return;
    }
    const submit: ReceivedSubmit = {
      systemId: state.systemId,
      sequenceNumber: sequence,
      messageId,
      source: pdu.source,
      sourceTon: pdu.sourceTon,
      destination: pdu.destination,
      destinationTon: pdu.destinationTon,
      esmClass: pdu.esmClass,
      dataCoding: pdu.dataCoding,
      registeredDelivery: pdu.registeredDelivery,
      shortMessage: pdu.shortMessage,
      text,
      ...(concat ? { concat } : {}),
    };
    received.push(submit);
    submits.set(messageId, submit);
    const to = pdu.destinationTon === TON.international ? `+${pdu.destination}` : pdu.destination;
    const encoding = pdu.dataCoding === 0x08 ? 'ucs2' : pdu.dataCoding === 0x00 ? 'gsm7' : `data_coding ${pdu.dataCoding}`;
    const part = concat ? `part ${concat.sequence}/${concat.total} (ref ${concat.reference})` : 'part 1/1';
    write(`[smsc] submit_sm ${messageId} from ${pdu.source} to ${maskPhone(to)}, ${encoding}, ${part}: ${text}`);
    answer({ message_id: messageId });
    // Bound handsets hear what the platform sends; each keeps what is addressed to its own number.
    for (const handset of receivers(handsetSystemId)) handset.send(new smpp.PDU('deliver_sm', forward));
    if (pdu.registeredDelivery & 0x03) {
      setTimeout(() => void sendReceipt(messageId).catch(() => undefined), receiptDelayMs).unref();
    }
  }

  function receivers(id = systemId): smpp.Session[] {
    return [...sessions].filter(([, s]) => s.bound && s.mode !== 'transmitter' && s.systemId === id).map(([session]) => session);
  }

  /** One deliver_sm to the first bound receiver (the platform's, unless told); resolves to the status of its response. */
  function deliver(fields: Record<string, unknown>, id = systemId): Promise<number> {
    const session = receivers(id)[0];
    if (!session) return Promise.reject(new Error('no client is bound to receive'));
    return new Promise((resolve, reject) => {
      // SMSCs wait tens of seconds for a response (SMPP 3.4 leaves the timer to them); 5 s failed a busy machine's tests.
      const timer = setTimeout(() => reject(new Error('the client did not answer deliver_sm within 30 s')), 30_000);
      const sent = session.send(new smpp.PDU('deliver_sm', fields), (response) => {
        clearTimeout(timer);
        resolve(response.command_status);
      });
      if (!sent) {
        clearTimeout(timer);
        reject(new Error('the connection to the client is not writable'));
      }
    });
  }

  async function sendReceipt(messageId: string, stat = options.receiptStat ?? 'DELIVRD'): Promise<number> {
    const submit = submits.get(messageId);
    const date = receiptDate(new Date());
    // The receipt quotes the start of the text, which only fits when it is plain ASCII.
    const quoted = submit && /^[A-Za-z0-9 .,:]*$/.test(submit.text.slice(0, 20)) ? submit.text.slice(0, 20) : '';
    const text = `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${date} done date:${date} stat:${stat} err:000 text:${quoted}`;
    write(`[smsc] receipt for ${messageId}: ${stat}`);
    return deliver({
      source_addr_ton: submit?.destinationTon ?? TON.international,
      source_addr_npi: 1,
      source_addr: submit?.destination ?? '',
      destination_addr: submit?.source ?? serviceAddress,
      esm_class: 0x04,
      data_coding: 0x00,
      short_message: Buffer.from(text, 'latin1'),
    });
  }

  return {
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    received,
    get enquireLinks() {
      return enquireLinks;
    },
    get boundSessions() {
      return [...sessions.values()].filter((s) => s.bound && s.systemId === systemId).length;
    },
    get binds() {
      return binds;
    },
    async deliverToClient(from, text) {
      reference = (reference + 1) % 256;
      const encoded = encodeSms(text, { reference });
      const statuses: number[] = [];
      for (const part of encoded.parts) {
        statuses.push(
          await deliver({
            source_addr_ton: from.startsWith('+') ? TON.international : TON.unknown,
            source_addr_npi: 1,
            source_addr: from.replace(/^\+/, ''),
            destination_addr: serviceAddress,
            esm_class: encoded.esmClass,
            data_coding: encoded.dataCoding,
            short_message: part,
          }),
        );
      }
      write(`[smsc] deliver_sm from ${maskPhone(from)}, ${encoded.encoding}, ${encoded.parts.length} part(s): ${text}`);
      return statuses;
    },
    deliverPdu: deliver,
    sendReceipt,
    refuseSubmits(status, count = 1) {
      refusals = { status, count };
    },
    setSilent(value) {
      silent = value;
    },
    dropConnections() {
      for (const session of sessions.keys()) session.destroy();
    },
    close() {
      return new Promise((resolve) => {
        for (const session of sessions.keys()) session.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}

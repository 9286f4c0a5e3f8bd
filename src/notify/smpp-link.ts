import smpp from 'smpp';
import { COMMAND, parseMessagePdu, STATUS, statusName, tapFrames } from './smpp-wire.js';
import type { MessagePdu } from './smpp-wire.js';

/**
 * One TCP connection to an SMSC, bound as a transceiver: it sends requests
 * and matches their responses, keeps the link alive with enquire_link,
 * answers what the SMSC asks, and reports its own end exactly once.
 * Reconnecting is the channel's business, not the link's.
 */

export interface LinkOptions {
  host: string;
  port: number;
  tls?: boolean;
  systemId: string;
  password: string;
  systemType?: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  enquireLinkMs: number;
}

export interface LinkHandlers {
  /** A deliver_sm arrived; resolves to the command_status to answer it with. */
  onDeliver(pdu: MessagePdu): Promise<number>;
  /** The bound link ended for a reason other than `close()`. */
  onDown(error: Error): void;
}

export type LinkErrorKind = 'down' | 'timeout' | 'refused';

export class LinkError extends Error {
  readonly kind: LinkErrorKind;
  constructor(kind: LinkErrorKind, message: string) {
    super(message);
    this.name = 'LinkError';
    this.kind = kind;
  }
}

interface Pending {
  command: string;
  resolve(pdu: smpp.PDU): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

type State = 'connecting' | 'bound' | 'closing' | 'gone';

export class SmppLink {
  readonly #session: smpp.Session;
  readonly #options: LinkOptions;
  readonly #handlers: LinkHandlers;
  readonly #pending = new Map<number, Pending>();
  #state: State = 'connecting';
  #enquireTimer: NodeJS.Timeout | undefined;
  #enquiring = false;
  #lastError: Error | undefined;
  #settleOpen: ((error?: Error) => void) | undefined;

  private constructor(options: LinkOptions, handlers: LinkHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    // The package's own enquire_link timer ignores missing answers; this link keeps its own.
    this.#session = smpp.connect({ host: options.host, port: options.port, tls: options.tls ?? false, auto_enquire_link_period: 0 });
    this.#session.socket.setKeepAlive(true, 30_000);
    this.#session.on('error', (error: Error) => {
      this.#lastError = error;
      // A stream the package could not parse leaves it stuck; only a new connection helps.
      this.#session.destroy();
    });
    this.#session.on('close', () => this.#gone(this.#lastError ?? new LinkError('down', 'the SMS centre closed the connection')));
    this.#session.on('pdu', (pdu: smpp.PDU) => this.#onPdu(pdu));
    tapFrames(this.#session.socket, (frame) => {
      if (frame.readUInt32BE(4) === COMMAND.deliver_sm) this.#onDeliverFrame(frame);
    });
  }

  /** Connects and binds; rejects if either fails or takes too long. */
  static open(options: LinkOptions, handlers: LinkHandlers, signal?: AbortSignal): Promise<SmppLink> {
    let link: SmppLink;
    try {
      link = new SmppLink(options, handlers);
    } catch (error) {
      return Promise.reject(error as Error); // e.g. a port out of range, thrown by net.connect at once
    }
    signal?.addEventListener('abort', () => link.#destroy(new LinkError('down', 'the channel closed while connecting')), { once: true });
    return new Promise((resolve, reject) => {
      const connectTimer = setTimeout(
        () => link.#destroy(new LinkError('timeout', `no connection to ${options.host}:${options.port} within ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
      link.#settleOpen = (error) => {
        clearTimeout(connectTimer);
        link.#settleOpen = undefined;
        if (error) reject(error);
        else resolve(link);
      };
      link.#session.once(options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        link.#bind().then(
          () => link.#settleOpen?.(),
          (error: Error) => link.#destroy(error),
        );
      });
    });
  }

  get bound(): boolean {
    return this.#state === 'bound';
  }

  /** Sends a request and waits for its response (any command_status); rejects if none comes in time. */
  request(command: string, fields: Record<string, unknown> = {}): Promise<smpp.PDU> {
    if (this.#state === 'gone' || this.#state === 'closing') {
      return Promise.reject(new LinkError('down', 'the link to the SMS centre is closed'));
    }
    return new Promise((resolve, reject) => {
      let sent: boolean;
      const pdu = new smpp.PDU(command, fields);
      try {
        sent = this.#session.send(pdu);
      } catch (error) {
        reject(error as Error);
        return;
      }
      if (!sent) {
        reject(new LinkError('down', 'the connection to the SMS centre is not writable'));
        return;
      }
      const sequence = pdu.sequence_number;
      const timer = setTimeout(() => {
        this.#pending.delete(sequence);
        reject(new LinkError('timeout', `the SMS centre did not answer ${command} within ${this.#options.responseTimeoutMs} ms`));
      }, this.#options.responseTimeoutMs);
      this.#pending.set(sequence, { command, resolve, reject, timer });
    });
  }

  /** Unbinds politely (briefly), then closes. Pending requests fail. */
  async close(): Promise<void> {
    if (this.#state === 'gone') return;
    const wasBound = this.#state === 'bound';
    this.#state = 'closing';
    this.#stopEnquiring();
    if (wasBound && !this.#session.socket.destroyed) {
      // Whichever comes first: the answer, the SMSC hanging up, or a short wait.
      let done = () => {};
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(() => done(), Math.min(this.#options.responseTimeoutMs, 2000));
        done = () => {
          clearTimeout(timer);
          this.#session.off('unbind_resp', done);
          this.#session.socket.off('close', done);
          resolve();
        };
        this.#session.once('unbind_resp', done);
        this.#session.socket.once('close', done);
      });
      if (this.#session.send(new smpp.PDU('unbind'))) await answered;
      else done();
    }
    await new Promise<void>((resolve) => {
      if (this.#session.socket.destroyed) return resolve();
      const timer = setTimeout(() => this.#session.destroy(), 1000);
      this.#session.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#session.close();
    });
  }

  async #bind(): Promise<void> {
    const response = await this.request('bind_transceiver', {
      system_id: this.#options.systemId,
      password: this.#options.password,
      system_type: this.#options.systemType ?? '',
      interface_version: 0x34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    });
    if (response.command_status !== STATUS.ESME_ROK) {
      throw new LinkError('refused', `the SMS centre refused the bind: ${statusName(response.command_status)}`);
    }
    if (this.#state !== 'connecting') throw new LinkError('down', 'the link closed while binding');
    this.#state = 'bound';
    this.#enquireTimer = setInterval(() => this.#enquire(), this.#options.enquireLinkMs);
    this.#enquireTimer.unref();
  }

  #enquire(): void {
    if (this.#enquiring || this.#state !== 'bound') return;
    this.#enquiring = true;
    this.request('enquire_link').then(
      () => {
        this.#enquiring = false;
      },
      () => {
        this.#enquiring = false;
        this.#destroy(new LinkError('timeout', 'the SMS centre stopped answering enquire_link'));
      },
    );
  }

  #onPdu(pdu: smpp.PDU): void {
    if (pdu.isResponse()) {
      const pending = this.#pending.get(pdu.sequence_number);
      if (!pending) return;
      this.#pending.delete(pdu.sequence_number);
      clearTimeout(pending.timer);
      pending.resolve(pdu);
      return;
    }
    switch (pdu.command) {
      case 'enquire_link':
        this.#session.send(pdu.response());
        return;
      case 'unbind':
        this.#lastError = new LinkError('down', 'the SMS centre unbound');
        this.#session.send(pdu.response(), () => this.#session.close());
        return;
      case 'deliver_sm':
        return; // answered from the raw frame (#onDeliverFrame), which keeps the exact bytes
      case 'data_sm':
        this.#session.send(pdu.response({ command_status: STATUS.ESME_RINVCMDID }));
        return;
      case 'unknown':
        this.#session.send(pdu.response());
        return;
      default:
        return;
    }
  }

  #onDeliverFrame(frame: Buffer): void {
    const sequence = frame.readUInt32BE(12);
    const answer = (status: number) => {
      if (this.#state === 'gone') return;
      this.#session.send(new smpp.PDU('deliver_sm_resp', { sequence_number: sequence, command_status: status }));
    };
    let pdu: MessagePdu;
    try {
      pdu = parseMessagePdu(frame);
    } catch {
      answer(STATUS.ESME_RINVMSGLEN);
      return;
    }
    this.#handlers.onDeliver(pdu).then(answer, () => answer(STATUS.ESME_RX_T_APPN));
  }

  #stopEnquiring(): void {
    if (this.#enquireTimer) clearInterval(this.#enquireTimer);
    this.#enquireTimer = undefined;
  }

  #destroy(error: Error): void {
    this.#lastError = error;
    this.#session.destroy();
  }

  #gone(error: Error): void {
    if (this.#state === 'gone') return;
    const previous = this.#state;
    this.#state = 'gone';
    this.#stopEnquiring();
    for (const [sequence, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(sequence);
      pending.reject(new LinkError('down', `the link to the SMS centre dropped before it answered ${pending.command}`));
    }
    if (this.#settleOpen) this.#settleOpen(error);
    else if (previous === 'bound') this.#handlers.onDown(error);
  }
}

/**
 * The parts of `smpp` (0.5.1, untyped CommonJS) that Rabta uses. PDU fields
 * are the SMPP 3.4 names in snake_case, as the package spells them; their
 * values depend on the command, hence `unknown` — readers narrow them.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    class PDU {
      constructor(command: string, options?: Record<string, unknown>);
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      toBuffer(): Buffer;
      [field: string]: unknown;
    }

    class Session extends EventEmitter {
      socket: Socket;
      /** false when the socket is not writable; the PDU's sequence_number is set on return */
      send(pdu: PDU, responseCallback?: (response: PDU) => void, sendCallback?: (sent: PDU) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host?: string;
      port?: number;
      tls?: boolean;
      /** milliseconds; 0 turns the package's own enquire_link timer off */
      auto_enquire_link_period?: number;
    }

    function connect(options: ConnectOptions, listener?: () => void): Session;
    function createServer(listener?: (session: Session) => void): Server;
    function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
  }

  export = smpp;
}

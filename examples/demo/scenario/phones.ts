import type { ReceivedSubmit, Smsc } from '../../smsc/smsc.js';
import type { Beneficiary } from '../people.js';

/**
 * The beneficiaries' phones, on the demo's SMSC: what reached a number
 * (multipart messages put back together), and texting the platform's short
 * code as a citizen does.
 */
export function smsInbox(smsc: Smsc) {
  const digits = (mobile: string) => mobile.replace(/^\+/, '');

  /** Whole messages to a number from submit `from` on, in order. */
  function messagesTo(mobile: string, from = 0): string[] {
    const parts = smsc.received.slice(from).filter((r) => digits(r.destination) === digits(mobile));
    const messages: string[] = [];
    const pending = new Map<number, ReceivedSubmit[]>();
    for (const part of parts) {
      if (!part.concat) {
        messages.push(part.text);
        continue;
      }
      const list = pending.get(part.concat.reference) ?? [];
      list.push(part);
      pending.set(part.concat.reference, list);
      if (list.length === part.concat.total) {
        messages.push(list.sort((a, b) => (a.concat?.sequence ?? 0) - (b.concat?.sequence ?? 0)).map((p) => p.text).join(''));
        pending.delete(part.concat.reference);
      }
    }
    return messages;
  }

  async function waitFor(mobile: string, matches: (text: string) => boolean, timeoutMs: number, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messagesTo(mobile, from).find(matches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no SMS to ${mobile.slice(0, 6)}… matched within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    messagesTo,
    waitFor,
    /** texts the platform from this phone and waits for the answer that matches */
    async ask(mobile: string, text: string, matches: (text: string) => boolean, timeoutMs: number): Promise<string> {
      const from = smsc.received.length;
      await smsc.deliverToClient(mobile, text);
      return waitFor(mobile, matches, timeoutMs, from);
    },
    /** the submit count now, to wait only for what comes after */
    mark: () => smsc.received.length,
  };
}

export type SmsInbox = ReturnType<typeof smsInbox>;

interface AccessItem {
  at: string;
  kind: string;
  institution: { nameEn: string };
  service: string;
  purpose: { code: string } | null;
  outcome: string;
  outcomeText: { en: string; ur: string };
  recipients: Array<{ nameEn: string }>;
}

/** Signs a beneficiary in as she would on the web (CNIC, then the code sent to her phone) and reads her data tracker. */
export async function citizenSignIn(base: string, inbox: SmsInbox, person: Beneficiary, timeoutMs: number) {
  const from = inbox.mark();
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const asked = await post('/citizen/otp', { cnic: person.cnic });
  if (asked.status !== 202) throw new Error(`sign-in code refused: ${asked.status} ${await asked.text()}`);
  const sms = await inbox.waitFor(person.mobile, (text) => /\d{6}/.test(text), timeoutMs, from);
  const code = /(\d{6})/.exec(sms)?.[1] as string;
  const session = await post('/citizen/session', { cnic: person.cnic, code });
  if (session.status !== 201) throw new Error(`sign-in refused: ${session.status} ${await session.text()}`);
  const { token } = (await session.json()) as { token: string };
  const access = await fetch(`${base}/citizen/access?limit=20`, { headers: { authorization: `Bearer ${token}` } });
  const { items } = (await access.json()) as { items: AccessItem[] };
  return items.map((item) => ({
    at: item.at,
    kind: item.kind,
    institution: item.institution.nameEn,
    service: item.service,
    purpose: item.purpose?.code ?? null,
    outcome: item.outcome,
    outcomeText: item.outcomeText.en,
    recipients: item.recipients.map((r) => r.nameEn),
  }));
}

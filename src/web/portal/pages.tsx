/** @jsxImportSource preact */
import type { AccessEntry } from '../../citizens/index.js';
import type { ConsentForCitizen } from '../../consent/index.js';
import { Icon, WithIcon } from '../icons.js';
import { day, digits, moment, readable } from '../i18n/format.js';
import type { Lang } from '../i18n/strings.js';
import { Csrf, Free, PortalPage } from '../layout.js';
import type { PageContext } from '../layout.js';

export type Named = { nameEn: string; nameUr: string };
export const nameIn = (n: Named, lang: Lang) => (lang === 'ur' ? n.nameUr || n.nameEn : n.nameEn || n.nameUr);
/** A CNIC, masked, always left to right inside Urdu text. */
const Cnic = ({ value, lang }: { value: string; lang: Lang }) => (
  <bdi dir="ltr" class="ltr">
    {digits(value, lang)}
  </bdi>
);

export function Message({ kind, text }: { kind: 'error' | 'ok'; text: string }) {
  return (
    <p class={kind} role={kind === 'error' ? 'alert' : 'status'}>
      <WithIcon icon={kind === 'error' ? 'warn' : 'check'}>{text}</WithIcon>
    </p>
  );
}

export function CnicPage({ ctx, error }: { ctx: PageContext; error?: string }) {
  const { t } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.cnicQuestion}>
      <form method="post" action="/sign-in" novalidate>
        <Csrf ctx={ctx} />
        <h1>
          <label for="cnic">{t.cnicQuestion}</label>
        </h1>
        <p class="hint" id="cnic-hint">
          {t.cnicHint}
        </p>
        {error ? <Message kind="error" text={error} /> : null}
        <div class="field">
          <input
            type="text"
            id="cnic"
            name="cnic"
            dir="ltr"
            inputmode="numeric"
            autocomplete="off"
            spellcheck={false}
            maxlength={20}
            aria-describedby="cnic-hint"
            {...(error ? { 'aria-invalid': 'true' } : {})}
            required
          />
        </div>
        <button type="submit">
          <Icon name="phone" /> {t.sendCode}
        </button>
      </form>
    </PortalPage>
  );
}

export function CodePage({ ctx, error }: { ctx: PageContext; error?: string }) {
  const { t } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.codeQuestion}>
      <form method="post" action="/sign-in/code" novalidate>
        <Csrf ctx={ctx} />
        <h1>
          <label for="code">{t.codeQuestion}</label>
        </h1>
        <p class="hint" id="code-hint">
          {t.codeHint}
        </p>
        {error ? <Message kind="error" text={error} /> : null}
        <div class="field">
          <input
            type="text"
            id="code"
            name="code"
            dir="ltr"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength={12}
            aria-describedby="code-hint"
            {...(error ? { 'aria-invalid': 'true' } : {})}
            required
          />
        </div>
        <button type="submit">
          <Icon name="key" /> {t.signIn}
        </button>
      </form>
      <p>
        <a href="/sign-in">{t.newCode}</a>
      </p>
    </PortalPage>
  );
}

export function HomePage({ ctx }: { ctx: PageContext }) {
  const { t, lang } = ctx;
  const items = [
    { href: '/my/money', icon: 'money', text: t.money },
    { href: '/my/tracker', icon: 'eye', text: t.tracker },
    { href: '/my/consents', icon: 'shield', text: t.consents },
    { href: '/my/cases', icon: 'folder', text: t.cases },
    { href: '/my/notices', icon: 'bell', text: t.notices },
  ] as const;
  return (
    <PortalPage ctx={ctx} title={t.home}>
      <h1>{t.welcome}</h1>
      <p class="hint">
        {t.signedInAs}: <Cnic value={ctx.signedIn ?? ''} lang={lang} />
      </p>
      <ul class="menu">
        {items.map((item) => (
          <li key={item.href}>
            <a href={item.href}>
              <Icon name={item.icon} />
              <span>{item.text}</span>
            </a>
          </li>
        ))}
      </ul>
    </PortalPage>
  );
}

export interface MoneyStatus {
  institution: Named;
  text: string;
  at: string;
  topic: string;
  /** a date the notice names (the day the money can be withdrawn), when it names one */
  expected: string | null;
  /** the language the notice was written in (the citizen's, when it was sent) */
  language: Lang;
}

export function MoneyPage({ ctx, status }: { ctx: PageContext; status: MoneyStatus | null }) {
  const { t, lang } = ctx;
  const next = !status ? t.moneyNoneNext : /credited/.test(status.topic) ? t.nextCredited : /failed/.test(status.topic) ? t.nextFailed : t.nextOther;
  return (
    <PortalPage ctx={ctx} title={t.money}>
      <h1>
        <WithIcon icon="money">{t.money}</WithIcon>
      </h1>
      {status ? (
        <section class="card" aria-labelledby="latest">
          <h2 id="latest">{t.moneyLatest}</h2>
          <p class="notice-text" lang={status.language} dir={status.language === 'ur' ? 'rtl' : 'ltr'}>
            <Free>{readable(status.text, status.language)}</Free>
          </p>
          <dl class="facts">
            {status.expected ? (
              <>
                <dt>{t.moneyExpected}</dt>
                <dd>
                  <strong>{day(status.expected, lang)}</strong>
                </dd>
              </>
            ) : null}
            <dt>{t.moneyFrom}</dt>
            <dd><Free>{nameIn(status.institution, lang)}</Free></dd>
            <dt>{t.moneyWhen}</dt>
            <dd>{moment(status.at, lang)}</dd>
          </dl>
        </section>
      ) : (
        <p>{t.moneyNone}</p>
      )}
      <h2>
        <WithIcon icon="list">{t.nextStep}</WithIcon>
      </h2>
      <p>{digits(next, lang)}</p>
    </PortalPage>
  );
}

function outcomeText(entry: AccessEntry, t: PageContext['t']): string {
  if (entry.kind === 'event') return t.outcomePublished;
  return entry.allowed && entry.outcome === 'ok' ? t.outcomeOk : entry.allowed ? entry.outcome : t.outcomeRefused;
}

function basisText(entry: AccessEntry, ctx: PageContext): string {
  const { t } = ctx;
  if (entry.legalBasis === 'consent') return t.basisConsent;
  if (entry.legalBasis === 'statute') return entry.statute ? `${t.basisStatute}: ${entry.statute}` : t.basisStatute;
  return t.basisNone;
}

export function TrackerPage({ ctx, items, next }: { ctx: PageContext; items: AccessEntry[]; next: string | null }) {
  const { t, lang } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.tracker}>
      <h1>
        <WithIcon icon="eye">{t.tracker}</WithIcon>
      </h1>
      {items.length === 0 ? <p>{t.trackerNone}</p> : null}
      <ol class="plain">
        {items.map((entry) => (
          <li key={`${entry.exchangeId}`} class="card">
            <h2><Free>{nameIn(entry.institution, lang)}</Free></h2>
            <dl class="facts">
              <dt>{t.when}</dt>
              <dd>{moment(entry.at, lang)}</dd>
              <dt>{t.why}</dt>
              <dd>{entry.purpose ? nameIn(entry.purpose, lang) : '—'}</dd>
              <dt>{t.basis}</dt>
              <dd>{basisText(entry, ctx)}</dd>
              <dt>{t.outcome}</dt>
              <dd>{outcomeText(entry, t)}</dd>
            </dl>
            <a href={`/my/tracker/${entry.kind}/${entry.exchangeId}`}>
              <WithIcon icon="check">{t.checkRecord}</WithIcon>
              <span class="skip"> — <Free>{nameIn(entry.institution, lang)}</Free>, {moment(entry.at, lang)}</span>
            </a>
          </li>
        ))}
      </ol>
      {next ? (
        <p>
          <a href={`/my/tracker?after=${encodeURIComponent(next)}`}>{t.older}</a>
        </p>
      ) : null}
    </PortalPage>
  );
}

export type CheckResult = { state: 'ok'; index: number; size: number; receipt: string } | { state: 'bad'; reason: string } | { state: 'wait' };

export function CheckPage({ ctx, entry, result }: { ctx: PageContext; entry: AccessEntry | undefined; result: CheckResult }) {
  const { t, lang } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.checkTitle}>
      <h1>
        <WithIcon icon="check">{t.checkTitle}</WithIcon>
      </h1>
      {entry ? (
        <p>
          <Free>{nameIn(entry.institution, lang)}</Free> · {moment(entry.at, lang)}
        </p>
      ) : null}
      {result.state === 'ok' ? (
        <>
          <p class="ok" role="status" id="check-result" data-verified="server">
            <WithIcon icon="check">{t.checkOk}</WithIcon>
          </p>
          <dl class="facts">
            <dt>{t.checkPosition}</dt>
            <dd>{digits(result.index + 1, lang)}</dd>
            <dt>{t.checkSize}</dt>
            <dd>{digits(result.size, lang)}</dd>
          </dl>
          {/* The browser checks the same proof again when JavaScript runs (verify.js); the text is data, never executed. */}
          <script type="application/json" id="receipt-data" dangerouslySetInnerHTML={{ __html: result.receipt.replace(/</g, '\\u003c') }} />
          <p class="ok" id="browser-check" hidden data-text={t.checkInBrowser} />
        </>
      ) : result.state === 'wait' ? (
        <Message kind="error" text={t.checkWait} />
      ) : (
        <Message kind="error" text={`${t.checkBad} (${result.reason})`} />
      )}
      <p>
        <a href="/my/tracker">
          <WithIcon icon="back">{t.back}</WithIcon>
        </a>
      </p>
    </PortalPage>
  );
}

const statusKey = (status: ConsentForCitizen['status']) => `status${status}` as const;

export function ConsentsPage({ ctx, consents, done }: { ctx: PageContext; consents: ConsentForCitizen[]; done?: string }) {
  const { t, lang } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.consents}>
      <h1>
        <WithIcon icon="shield">{t.consents}</WithIcon>
      </h1>
      {done ? <Message kind="ok" text={done} /> : null}
      {consents.length === 0 ? <p>{t.consentsNone}</p> : null}
      <ul class="plain">
        {consents.map((c) => (
          <li key={c.id} class="card">
            <h2>
              <Free>{nameIn(c.consumer.institution, lang)}</Free> <span class="badge">{t[statusKey(c.status)]}</span>
            </h2>
            <p>
              {t.why}: <Free>{nameIn(c.purpose, lang)}</Free>
            </p>
            {c.status === 'REQUESTED' || c.status === 'ACTIVE' ? (
              <a class="button" href={`/my/consents/${c.id}`}>
                {c.status === 'REQUESTED' ? t.consentAsk : t.revoke}
                <span class="skip"> — <Free>{nameIn(c.consumer.institution, lang)}</Free></span>
              </a>
            ) : null}
          </li>
        ))}
      </ul>
    </PortalPage>
  );
}

/** One consent, one question: allow or not (a request), or take it back (an active one). */
export function ConsentPage({ ctx, consent }: { ctx: PageContext; consent: ConsentForCitizen }) {
  const { t, lang } = ctx;
  const asking = consent.status === 'REQUESTED';
  return (
    <PortalPage ctx={ctx} title={asking ? t.consentAsk : t.revokeAsk}>
      <h1>{asking ? t.consentAsk : t.revokeAsk}</h1>
      <div class="card">
        <dl class="facts">
          <dt>{t.who}</dt>
          <dd><Free>{nameIn(consent.consumer.institution, lang)}</Free></dd>
          <dt>{t.consentFrom}</dt>
          <dd><Free>{nameIn(consent.provider, lang)}</Free></dd>
          <dt>{t.why}</dt>
          <dd><Free>{nameIn(consent.purpose, lang)}</Free></dd>
          <dt>{t.consentUntil}</dt>
          <dd>{day(consent.validUntil, lang)}</dd>
        </dl>
      </div>
      <div class="actions">
        {asking ? (
          <>
            <form method="post" action={`/my/consents/${consent.id}/approve`}>
              <Csrf ctx={ctx} />
              <button type="submit">
                <Icon name="check" /> {t.approve}
              </button>
            </form>
            <form method="post" action={`/my/consents/${consent.id}/reject`}>
              <Csrf ctx={ctx} />
              <button type="submit" class="warning">
                <Icon name="cross" /> {t.reject}
              </button>
            </form>
          </>
        ) : (
          <form method="post" action={`/my/consents/${consent.id}/revoke`}>
            <Csrf ctx={ctx} />
            <button type="submit" class="warning">
              <Icon name="cross" /> {t.revoke}
            </button>
          </form>
        )}
        <a href="/my/consents">{t.back}</a>
      </div>
    </PortalPage>
  );
}

export function NoticesPage({ ctx, institutions, stopped, saved, messages }: { ctx: PageContext; institutions: Array<Named & { id: string }>; stopped: string[]; saved: boolean; messages: Array<{ at: string; text: string; language: Lang }> }) {
  const { t, lang } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.notices}>
      <form method="post" action="/my/notices">
        <Csrf ctx={ctx} />
        <fieldset class="plain-fieldset">
          <legend>
            <h1>
              <WithIcon icon="bell">{t.notices}</WithIcon>
            </h1>
          </legend>
          <p class="hint">{t.noticesHint}</p>
          {saved ? <Message kind="ok" text={t.saved} /> : null}
          {institutions.map((m, i) => (
            <div class="check" key={m.id}>
              <input type="checkbox" id={`m${i}`} name="allow" value={m.id} checked={!stopped.includes(m.id)} />
              <label for={`m${i}`}><Free>{nameIn(m, lang)}</Free></label>
            </div>
          ))}
        </fieldset>
        <button type="submit">
          <Icon name="check" /> {t.save}
        </button>
      </form>
      <h2>
        <WithIcon icon="phone">{t.messages}</WithIcon>
      </h2>
      {messages.length === 0 ? <p>{t.messagesNone}</p> : null}
      <ul class="plain">
        {messages.map((m, i) => (
          <li class="card" key={i}>
            <p lang={m.language} dir={m.language === 'ur' ? 'rtl' : 'ltr'}>
              <Free>{readable(m.text, m.language)}</Free>
            </p>
            <p class="hint">{moment(m.at, lang)}</p>
          </li>
        ))}
      </ul>
    </PortalPage>
  );
}

export function MessagePage({ ctx, title, text }: { ctx: PageContext; title: string; text: string }) {
  return (
    <PortalPage ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href="/">{ctx.t.home}</a>
      </p>
    </PortalPage>
  );
}

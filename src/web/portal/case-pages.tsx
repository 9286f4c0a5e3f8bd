/** @jsxImportSource preact */
import type { CaseSummary } from '../../cases/index.js';
import type { CitizenCase } from '../capabilities.js';
import { Icon, WithIcon } from '../icons.js';
import { dayOf, digits, moment } from '../i18n/format.js';
import type { Strings } from '../i18n/strings.js';
import { Csrf, Free, PortalPage } from '../layout.js';
import type { PageContext } from '../layout.js';
import { Message, nameIn } from './pages.js';
import type { Named } from './pages.js';

/** The longest complaint the form takes, as the cases module counts it. */
export const COMPLAINT_MAX = 4000;

const STATE_KEYS: Record<string, keyof Strings> = {
  new: 'stateNew',
  triaged: 'stateTriaged',
  'in-progress': 'stateInProgress',
  resolved: 'stateResolved',
  closed: 'stateClosed',
  reopened: 'stateReopened',
  transferred: 'stateTransferred',
  duplicate: 'stateDuplicate',
  rejected: 'stateRejected',
  'closed-unconfirmed': 'stateUnconfirmed',
};

const STEP_KEYS: Record<string, keyof Strings> = {
  opened: 'stepOpened',
  triaged: 'stepTriaged',
  accepted: 'stepAccepted',
  escalated: 'stepEscalated',
  resolved: 'stepResolved',
  confirmed: 'stepConfirmed',
  reopened: 'stepReopened',
  rated: 'stepRated',
  transferred: 'stepTransferred',
  note: 'stepNote',
  rejected: 'stateRejected',
  duplicate: 'stateDuplicate',
  unconfirmed: 'stateUnconfirmed',
};

export const stateText = (state: string, t: Strings) => t[STATE_KEYS[state] ?? 'stepOther'];
const stepText = (kind: string, t: Strings) => t[STEP_KEYS[kind] ?? 'stepOther'];

/** A case reference is read out and typed by SMS: always left to right, in ASCII. */
const Reference = ({ value }: { value: string }) => (
  <bdi dir="ltr" class="ltr">
    {value}
  </bdi>
);

export type Institutions = Map<string, Named>;
const leadName = (lead: string | null, names: Institutions, ctx: PageContext) => (lead ? <Free>{nameIn(names.get(lead) ?? { nameEn: lead, nameUr: lead }, ctx.lang)}</Free> : ctx.t.caseNobody);

export function CasesPage({ ctx, cases, names }: { ctx: PageContext; cases: CaseSummary[]; names: Institutions }) {
  const { t, lang } = ctx;
  return (
    <PortalPage ctx={ctx} title={t.cases}>
      <h1>
        <WithIcon icon="folder">{t.cases}</WithIcon>
      </h1>
      <p>
        <a class="button" href="/my/cases/new">
          <Icon name="list" /> {t.fileNew}
        </a>
      </p>
      {cases.length === 0 ? <p>{t.casesNone}</p> : null}
      <ul class="plain">
        {cases.map((c) => (
          <li key={c.reference} class="card" data-case={c.reference}>
            <h2>
              <a href={`/my/cases/${c.reference}`}>
                <Reference value={c.reference} />
              </a>{' '}
              <span class="badge">{stateText(c.state, t)}</span>
            </h2>
            <dl class="facts">
              <dt>{t.caseOpened}</dt>
              <dd>{dayOf(c.openedAt, lang)}</dd>
              <dt>{t.caseLead}</dt>
              <dd>{leadName(c.lead, names, ctx)}</dd>
              {c.resolutionDue ? (
                <>
                  <dt>{t.caseDue}</dt>
                  <dd>{dayOf(c.resolutionDue, lang)}</dd>
                </>
              ) : null}
            </dl>
          </li>
        ))}
      </ul>
    </PortalPage>
  );
}

export interface ComplaintForm {
  text: string;
  district: string;
  category: string;
}

/** One question with two optional helpers: what happened, where, and (if she knows) what about. */
export function FilePage({ ctx, categories, districts, error, values }: { ctx: PageContext; categories: Array<Named & { code: string }>; districts: Array<{ code: string; name: string; province: string }>; error?: string; values?: ComplaintForm }) {
  const { t, lang } = ctx;
  const byProvince = new Map<string, Array<{ code: string; name: string }>>();
  for (const d of districts) byProvince.set(d.province, [...(byProvince.get(d.province) ?? []), d]);
  return (
    <PortalPage ctx={ctx} title={t.fileQuestion}>
      <form method="post" action="/my/cases" novalidate>
        <Csrf ctx={ctx} />
        <h1>
          <label for="text">{t.fileQuestion}</label>
        </h1>
        <p class="hint" id="text-hint">
          {t.fileHint}
        </p>
        {error ? <Message kind="error" text={error} /> : null}
        <div class="field">
          <textarea id="text" name="text" rows={6} maxlength={COMPLAINT_MAX} aria-describedby="text-hint" required {...(error === t.textMissing || error === t.textTooLong ? { 'aria-invalid': 'true' } : {})}>
            {values?.text ?? ''}
          </textarea>
        </div>
        <div class="field">
          <label for="district">{t.districtQuestion}</label>
          {/* Census names are in English only; they stay left to right in an Urdu page. */}
          <select id="district" name="district" class="free" {...(error === t.districtWrong ? { 'aria-invalid': 'true' } : {})}>
            <option value="">{t.notSure}</option>
            {[...byProvince].map(([province, list]) => (
              <optgroup label={province} key={province}>
                {list.map((d) => (
                  <option value={d.code} key={d.code} selected={values?.district === d.code}>
                    {d.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        {categories.length > 0 ? (
          <div class="field">
            <label for="category">
              {t.categoryQuestion} <span class="hint">({t.optional})</span>
            </label>
            <select id="category" name="category" class="free">
              <option value="">{t.notSure}</option>
              {categories.map((c) => (
                <option value={c.code} key={c.code} selected={values?.category === c.code}>
                  {nameIn(c, lang)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <button type="submit">
          <Icon name="check" /> {t.fileSend}
        </button>
      </form>
      <p>
        <a href="/my/cases">{t.back}</a>
      </p>
    </PortalPage>
  );
}

const RATINGS = [1, 2, 3, 4, 5] as const;

/** Her answer to a proposed resolution: solved (with an optional rating) or not (reopened, escalated). */
function AnswerForms({ ctx, view }: { ctx: PageContext; view: CitizenCase }) {
  const { t, lang } = ctx;
  const action = `/my/cases/${view.reference}/answer`;
  const rated = view.timeline.some((e) => e.kind === 'rated' || (e.kind === 'confirmed' && typeof e.detail.satisfaction === 'number'));
  const rating = (
    <fieldset class="plain-fieldset field">
      <legend>
        <strong>{t.rateAsk}</strong> <span class="hint">({t.optional})</span>
      </legend>
      {RATINGS.map((n) => (
        <div class="check" key={n}>
          <input type="radio" id={`rate${n}`} name="rating" value={String(n)} />
          <label for={`rate${n}`}>
            {digits(n, lang)} — {t[`rate${n}`]}
          </label>
        </div>
      ))}
    </fieldset>
  );
  if (view.state === 'resolved') {
    return (
      <section class="card" aria-labelledby="solved-ask">
        <h2 id="solved-ask">{t.solvedAsk}</h2>
        <form method="post" action={action}>
          <Csrf ctx={ctx} />
          <input type="hidden" name="solved" value="yes" />
          {rating}
          <button type="submit" name="answer" value="yes">
            <Icon name="check" /> {t.solvedYes}
          </button>
        </form>
        <form method="post" action={action} class="actions">
          <Csrf ctx={ctx} />
          <input type="hidden" name="solved" value="no" />
          <button type="submit" class="warning">
            <Icon name="cross" /> {t.solvedNo}
          </button>
        </form>
      </section>
    );
  }
  if (view.state === 'closed' && !rated) {
    return (
      <section class="card" aria-labelledby="rate-ask">
        <h2 id="rate-ask">{t.rateAsk}</h2>
        <form method="post" action={action}>
          <Csrf ctx={ctx} />
          <input type="hidden" name="solved" value="yes" />
          {rating}
          <button type="submit">
            <Icon name="check" /> {t.rateSend}
          </button>
        </form>
      </section>
    );
  }
  if (view.state === 'closed-unconfirmed') {
    return (
      <form method="post" action={action} class="actions">
        <Csrf ctx={ctx} />
        <input type="hidden" name="solved" value="no" />
        <button type="submit" class="warning">
          <Icon name="cross" /> {t.solvedNo}
        </button>
      </form>
    );
  }
  return null;
}

/** The changes she may see and the notes written for her, in the order they happened (a note's change carries no text of its own). */
function historyOf(view: CitizenCase, t: Strings): Array<{ at: string; title: string; text?: string }> {
  const steps = view.timeline.filter((e) => e.kind !== 'note').map((e) => ({ at: e.at, title: stepText(e.kind, t) }));
  const notes = view.notes.map((n) => ({ at: n.at, title: t.stepNote, text: n.text }));
  return [...steps, ...notes].sort((a, b) => a.at.localeCompare(b.at));
}

export function CasePage({ ctx, view, names, done }: { ctx: PageContext; view: CitizenCase; names: Institutions; done?: { kind: 'ok' | 'error'; text: string } }) {
  const { t, lang } = ctx;
  return (
    <PortalPage ctx={ctx} title={`${t.reference} ${view.reference}`}>
      <h1>
        <WithIcon icon="folder">
          {t.reference} <Reference value={view.reference} />
        </WithIcon>
      </h1>
      {done ? <Message kind={done.kind} text={done.text} /> : null}
      <dl class="facts">
        <dt>{t.caseState}</dt>
        <dd>
          <strong id="case-state" data-state={view.state}>
            {stateText(view.state, t)}
          </strong>
        </dd>
        {view.resolutionDue && !view.closedAt ? (
          <>
            <dt>{t.caseDue}</dt>
            <dd>
              <strong>{dayOf(view.resolutionDue, lang)}</strong>
            </dd>
          </>
        ) : null}
        <dt>{t.caseLead}</dt>
        <dd>{leadName(view.lead, names, ctx)}</dd>
        <dt>{t.caseOpened}</dt>
        <dd>{moment(view.openedAt, lang)}</dd>
      </dl>
      <AnswerForms ctx={ctx} view={view} />
      <h2>{t.yourWords}</h2>
      <blockquote class="card">
        <Free>{view.text}</Free>
      </blockquote>
      <h2>
        <WithIcon icon="list">{t.caseHistory}</WithIcon>
      </h2>
      <ol class="timeline">
        {historyOf(view, t).map((step, i) => (
          <li key={i}>
            <strong>{step.title}</strong> <span class="hint">{moment(step.at, lang)}</span>
            {step.text ? (
              <p>
                <Free>{step.text}</Free>
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      <p>
        <a href="/my/cases">
          <WithIcon icon="back">{t.back}</WithIcon>
        </a>
      </p>
    </PortalPage>
  );
}

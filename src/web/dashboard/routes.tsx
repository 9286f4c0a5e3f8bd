/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IndicatorFigure, PublicFigures, ReleaseSummary, Span, WebCapabilities } from '../capabilities.js';
import type { WebFrame } from '../http/frame.js';
import { Icon } from '../icons.js';
import { day, digits, moment } from '../i18n/format.js';
import type { Lang } from '../i18n/strings.js';
import { Free, PortalPage } from '../layout.js';
import type { PageContext } from '../layout.js';
import { Bars, Columns, DataTable, NetworkPicture, rateWithheld, shownCount, shownPercent, suppressed } from './charts.js';
import type { D } from './charts.js';
import { DASHBOARD_STRINGS, PROVINCE_NAMES } from './strings.js';

export { suppressed } from './charts.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** The figures cover the last 30 days (UTC days, today included). */
const WINDOW_DAYS = 30;

const SCREENS = [
  { path: '/dashboard', key: 'overview' },
  { path: '/dashboard/network', key: 'network' },
  { path: '/dashboard/places', key: 'places' },
  { path: '/dashboard/open-data', key: 'openData' },
] as const;

type Names = (id: string) => string;

interface View {
  ctx: PageContext;
  d: D;
  lang: Lang;
  name: Names;
}

/**
 * The public dashboard, without sign-in, on the analytics module's figures
 * (given by the composition root as `caps.analytics`): the key indicators and
 * their trends, the collaboration index and the network of institutions,
 * provinces and districts beside population and literacy, and the open-data
 * releases with their ledger proof. Four screens, each server-rendered with
 * no script; every chart is a picture of the table beside it; counts 1–9 are
 * withheld as in open data, and rates resting on them too.
 */
export function dashboardRoutes(app: FastifyInstance, caps: WebCapabilities, frame: WebFrame) {
  const span = (): Span => {
    const today = Math.floor(caps.now() / DAY_MS) * DAY_MS;
    return { from: today - (WINDOW_DAYS - 1) * DAY_MS, to: today + DAY_MS };
  };
  async function view(request: FastifyRequest, path: string): Promise<View> {
    const ctx = frame.context(request, path, { assets: { css: frame.assets.css } });
    const lang = ctx.lang;
    const names = new Map((await caps.institutions()).map((m) => [m.id, lang === 'ur' ? m.nameUr || m.nameEn : m.nameEn || m.nameUr]));
    return { ctx, d: DASHBOARD_STRINGS[lang], lang, name: (id) => names.get(id) ?? id };
  }

  app.get('/dashboard', async (request, reply) => {
    const v = await view(request, '/dashboard');
    const grain = (request.query as { grain?: string }).grain === 'w' ? 'w' : 'd';
    const whole = span();
    const buckets = grain === 'd' ? days(whole.to, 14) : weeks(whole.to, 12);
    const [indicators, trend, figures] = await Promise.all([caps.analytics.indicators(whole), Promise.all(buckets.map(async (b) => ({ from: b.from, indicators: await caps.analytics.indicators(b) }))), caps.figures()]);
    return frame.page(request, reply, <Overview v={v} span={whole} indicators={indicators} trend={trend} grain={grain} figures={figures} />);
  });
  app.get('/dashboard/network', async (request, reply) => {
    const v = await view(request, '/dashboard/network');
    const [collaboration, network] = await Promise.all([caps.analytics.collaboration(span()), caps.analytics.network(span())]);
    return frame.page(request, reply, <NetworkScreen v={v} span={span()} collaboration={collaboration} network={network} />);
  });
  app.get('/dashboard/places', async (request, reply) => {
    const v = await view(request, '/dashboard/places');
    const asked = (request.query as { province?: string }).province;
    const province = asked && asked in PROVINCE_NAMES ? asked : undefined;
    return frame.page(request, reply, <PlacesScreen v={v} span={span()} places={await caps.analytics.places(span())} province={province} />);
  });
  app.get('/dashboard/open-data', async (request, reply) => {
    const v = await view(request, '/dashboard/open-data');
    // The newest releases with their proofs; the whole list is the catalogue's.
    const releases = (await caps.analytics.releases()).slice(0, 10);
    const receipts = await Promise.all(releases.map((r) => caps.analytics.receipt(r.version)));
    return frame.page(request, reply, <OpenDataScreen v={v} releases={releases.map((r, i) => ({ release: r, receipt: receipts[i] }))} figures={await caps.figures()} publicUrl={caps.publicUrl} />);
  });
}

function days(to: number, n: number): Span[] {
  return Array.from({ length: n }, (_, i) => ({ from: to - (n - i) * DAY_MS, to: to - (n - i - 1) * DAY_MS }));
}

/** Weeks from Monday (UTC), the last one ending tomorrow's midnight. */
function weeks(to: number, n: number): Span[] {
  const monday = to - DAY_MS - ((new Date(to - DAY_MS).getUTCDay() + 6) % 7) * DAY_MS;
  return Array.from({ length: n }, (_, i) => ({ from: monday - (n - 1 - i) * WEEK_MS, to: Math.min(to, monday - (n - 2 - i) * WEEK_MS) }));
}

function Screen({ v, title, children }: { v: View; title: string; children: ComponentChildren }) {
  const { d, ctx } = v;
  return (
    <PortalPage ctx={ctx} title={title}>
      <nav class="sections dash-nav" aria-label={d.screens}>
        <ul>
          {SCREENS.map((s) => (
            <li key={s.path}>
              <a href={s.path} aria-current={s.path === ctx.path ? 'page' : undefined}>
                {d[s.key]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h1>
        <Icon name="chart" /> {title}
      </h1>
      {children}
    </PortalPage>
  );
}

function PeriodLine({ v, span }: { v: View; span: Span }) {
  return (
    <p class="hint">
      {v.d.period}: {v.d.lastDays} ({day(new Date(span.from).toISOString(), v.lang)} – {day(new Date(span.to - 1).toISOString(), v.lang)}). {v.d.suppressed}
    </p>
  );
}

const find = (list: IndicatorFigure[], id: string) => list.find((i) => i.id === id);

function Overview({ v, span, indicators, trend, grain, figures }: { v: View; span: Span; indicators: IndicatorFigure[]; trend: Array<{ from: number; indicators: IndicatorFigure[] }>; grain: 'd' | 'w'; figures: PublicFigures }) {
  const { d, lang } = v;
  const sla = find(indicators, 'cases.resolved_in_time');
  const confirmed = find(indicators, 'cases.confirmed');
  const value = (i: IndicatorFigure | undefined): string => {
    if (!i || i.value === null) return d.noData;
    if (i.unit === 'count') return shownCount(i.value, lang);
    if (i.unit === 'percent') return shownPercent(i.value, i.basis, d, lang);
    if (i.unit === 'ms') return `${digits(i.value.toLocaleString('en-US'), lang)} ${d.ms}`;
    return digits(i.value, lang);
  };
  const basis = (i: IndicatorFigure | undefined): string => (i?.basis && i.basis.denominator > 0 ? `${shownCount(i.basis.numerator, lang)} ${d.outOf} ${shownCount(i.basis.denominator, lang)}` : '');
  const KEY: Array<[string, keyof D]> = [
    ['cases.opened', 'casesOpened'],
    ['cases.resolved_in_time', 'slaLong'],
    ['cases.confirmed', 'confirmedLong'],
    ['cases.satisfaction', 'satisfaction'],
    ['cases.escalations', 'escalations'],
    ['exchange.calls', 'exchangeCalls'],
    ['exchange.success_rate', 'exchangeOk'],
    ['exchange.latency_p50', 'latency'],
    ['events.published', 'published'],
    ['events.delivered', 'delivered'],
    ['consent.approved', 'consentsApproved'],
    ['citizens.notices', 'notices'],
  ];
  const rate = (i: IndicatorFigure | undefined) => ({ value: i?.value ?? null, hidden: rateWithheld(i?.basis) });
  const count = (list: IndicatorFigure[], id: string) => find(list, id)?.value ?? 0;
  const when = (from: number) => day(new Date(from).toISOString(), lang);
  const topic = (t: string) => t.split('/').slice(3).join('/');
  return (
    <Screen v={v} title={d.title}>
      <p>{d.intro}</p>
      <PeriodLine v={v} span={span} />
      <section aria-labelledby="key">
        <h2 id="key">{d.keyFigures}</h2>
        <div class="two">
          <div>
            <Bars
              max={100}
              rows={[
                { label: `${d.sla}: ${value(sla)}`, ...rate(sla) },
                { label: `${d.confirmed}: ${value(confirmed)}`, ...rate(confirmed) },
              ]}
            />
            <ul class="tiles">
              <li data-indicator="cases.resolved_in_time">
                <span class="big">{value(sla)}</span> {d.slaLong}
              </li>
              <li data-indicator="cases.confirmed">
                <span class="big">{value(confirmed)}</span> {d.confirmedLong}
              </li>
            </ul>
          </div>
          <DataTable caption={`${d.keyFigures} — ${d.table}`} heads={[d.indicator, d.value, d.basedOn]} numeric={[1, 2]} rows={KEY.map(([id, label]) => ({ key: id, cells: [d[label], value(find(indicators, id)), basis(find(indicators, id))] }))} />
        </div>
      </section>
      <section aria-labelledby="trends">
        <h2 id="trends">{d.trends}</h2>
        <p class="switch">
          <a href="/dashboard#trends" aria-current={grain === 'd' ? 'true' : undefined}>
            {d.perDay}
          </a>{' '}
          ·{' '}
          <a href="/dashboard?grain=w#trends" aria-current={grain === 'w' ? 'true' : undefined}>
            {d.perWeek}
          </a>
        </p>
        <div class="columns-pair">
          <Columns label={d.casesOpened} values={trend.map((t) => ({ value: count(t.indicators, 'cases.opened'), hidden: suppressed(count(t.indicators, 'cases.opened')) }))} />
          <Columns label={d.exchangeCalls} values={trend.map((t) => ({ value: count(t.indicators, 'exchange.calls'), hidden: suppressed(count(t.indicators, 'exchange.calls')) }))} />
          <p class="hint">{d.greyBars}</p>
        </div>
        <DataTable
          caption={`${d.trends} (${grain === 'd' ? d.perDay : d.perWeek}) — ${d.table}`}
          heads={[grain === 'd' ? d.day : d.week, d.casesOpened, d.sla, d.confirmed, d.exchangeCalls, d.published]}
          numeric={[1, 2, 3, 4, 5]}
          rows={trend.map((t) => ({
            key: String(t.from),
            cells: [when(t.from), value(find(t.indicators, 'cases.opened')), value(find(t.indicators, 'cases.resolved_in_time')), value(find(t.indicators, 'cases.confirmed')), value(find(t.indicators, 'exchange.calls')), value(find(t.indicators, 'events.published'))],
          }))}
        />
      </section>
      <section aria-labelledby="events">
        <h2 id="events">{d.payments}</h2>
        {figures.events.length === 0 ? (
          <p>{d.none}</p>
        ) : (
          <div class="two">
            <Bars rows={figures.events.map((e) => ({ label: `${v.name(e.publisher)}: ${topic(e.topic)}`, value: e.count, hidden: suppressed(e.count) }))} />
            <DataTable caption={`${d.events} — ${d.table}`} heads={[d.topic, d.publisher, d.count]} numeric={[2]} rows={figures.events.map((e) => ({ key: `${e.publisher}|${e.topic}`, cells: [<bdi dir="ltr">{topic(e.topic)}</bdi>, <Free>{v.name(e.publisher)}</Free>, shownCount(e.count, lang)] }))} />
          </div>
        )}
      </section>
    </Screen>
  );
}

const code = (id: string) => id.split('/').at(-1) ?? id;

function NetworkScreen({ v, span, collaboration, network }: { v: View; span: Span; collaboration: Awaited<ReturnType<WebCapabilities['analytics']['collaboration']>>; network: Awaited<ReturnType<WebCapabilities['analytics']['network']>> }) {
  const { d, lang } = v;
  const score = (s: number) => digits(s.toFixed(1), lang);
  const scores = new Map(collaboration.pairs.map((p) => [`${p.a}|${p.b}`, p.score]));
  const pairName = (a: string, b: string) => (
    <>
      <Free>{v.name(a)}</Free> – <Free>{v.name(b)}</Free>
    </>
  );
  return (
    <Screen v={v} title={d.network}>
      <PeriodLine v={v} span={span} />
      <section aria-labelledby="index">
        <h2 id="index">{d.index}</h2>
        <p>
          {d.indexIntro}{' '}
          <a href="/analytics/collaboration/method" hreflang="en">
            {d.method}
          </a>
        </p>
        {collaboration.institutions.length === 0 ? (
          <p>{d.none}</p>
        ) : (
          <div class="two">
            <Bars max={100} rows={collaboration.institutions.map((i) => ({ label: `${code(i.member)} ${score(i.score)}`, value: i.score }))} />
            <DataTable
              caption={`${d.index} — ${d.table}`}
              heads={[d.institution, d.score, d.pairs, d.volume]}
              numeric={[1, 2, 3]}
              rows={collaboration.institutions.map((i) => ({ key: i.member, cells: [<Free>{v.name(i.member)}</Free>, score(i.score), digits(i.pairs, lang), shownCount(i.volume, lang)] }))}
            />
          </div>
        )}
      </section>
      <section aria-labelledby="network">
        <h2 id="network">{d.networkPicture}</h2>
        <p>{d.networkIntro}</p>
        {network.edges.length === 0 ? (
          <p>{d.none}</p>
        ) : (
          <div class="two">
            <NetworkPicture nodes={network.nodes} edges={network.edges} label={code} />
            <DataTable
              caption={`${d.networkPicture} — ${d.table}`}
              heads={[d.pair, d.volume, d.score]}
              numeric={[1, 2]}
              rows={network.edges.map((e) => ({ key: `${e.a}|${e.b}`, cells: [pairName(e.a, e.b), shownCount(e.weight, lang), scores.has(`${e.a}|${e.b}`) ? score(scores.get(`${e.a}|${e.b}`) as number) : d.noData] }))}
            />
          </div>
        )}
      </section>
      <section aria-labelledby="over-time">
        <h2 id="over-time">{d.overTime}</h2>
        {network.series.length === 0 ? (
          <p>{d.none}</p>
        ) : (
          <div class="two">
            <Columns label={d.volume} values={network.series.map((s) => ({ value: s.edges.reduce((n, e) => n + e.weight, 0), hidden: suppressed(s.edges.reduce((n, e) => n + e.weight, 0)) }))} />
            <DataTable
              caption={`${d.overTime} — ${d.table}`}
              heads={[d.day, d.activePairs, d.volume]}
              numeric={[1, 2]}
              rows={network.series.map((s) => ({ key: s.period, cells: [day(s.period, lang), digits(s.edges.length, lang), shownCount(s.edges.reduce((n, e) => n + e.weight, 0), lang)] }))}
            />
          </div>
        )}
      </section>
    </Screen>
  );
}

type Places = Awaited<ReturnType<WebCapabilities['analytics']['places']>>;
type Place = Places['districts'][number];

function PlacesScreen({ v, span, places, province }: { v: View; span: Span; places: Places; province: string | undefined }) {
  const { d, lang } = v;
  const provinceName = (c: string) => PROVINCE_NAMES[c]?.[lang] ?? c;
  const people = (n: number) => digits(n.toLocaleString('en-US'), lang);
  const literacy = (p: number | null) => (p === null ? d.noData : digits(`${p}%`, lang));
  // Per 100,000 and the confirmed share are rates on the complaints: withheld with them.
  const per100k = (p: Place) => (p.casesPer100k === null ? d.noData : suppressed(p.casesOpened) ? d.withheld : digits(p.casesPer100k, lang));
  const confirmed = (p: Place) => shownPercent(p.confirmedPct, { numerator: p.confirmed, denominator: p.closed }, d, lang);
  const cells = (p: Place, label: ComponentChildren) => [label, people(p.population), literacy(p.literacyPct), shownCount(p.casesOpened, lang), per100k(p), confirmed(p)];
  const heads = (first: string) => [first, d.population, d.literacy, d.casesOpened, d.per100k, d.confirmed];
  const districts = places.districts.filter((p) => (province ? p.province === province : p.casesOpened > 0 || p.closed > 0));
  const egdiPk = places.egdi.pakistan;
  return (
    <Screen v={v} title={d.places}>
      <p>{d.placesIntro}</p>
      <PeriodLine v={v} span={span} />
      <section aria-labelledby="provinces">
        <h2 id="provinces">{d.provinces}</h2>
        <div class="two">
          <div>
            <Bars max={100} rows={places.provinces.filter((p) => p.literacyPct !== null).map((p) => ({ label: `${provinceName(p.code)} · ${d.literacy} ${literacy(p.literacyPct)}`, value: p.literacyPct }))} />
            <Bars rows={places.provinces.map((p) => ({ label: `${provinceName(p.code)} · ${d.per100k} ${per100k(p)}`, value: p.casesPer100k, hidden: suppressed(p.casesOpened) }))} />
          </div>
          <DataTable caption={`${d.provinces} — ${d.table}`} heads={heads(d.province)} numeric={[1, 2, 3, 4, 5]} rows={places.provinces.map((p) => ({ key: p.code, cells: cells(p, <a href={`/dashboard/places?province=${p.code}#districts`}>{provinceName(p.code)}</a>) }))} />
        </div>
      </section>
      <section aria-labelledby="districts">
        <h2 id="districts">
          {d.districts}: {province ? provinceName(province) : d.withCases}
        </h2>
        <p class="switch">
          <a href="/dashboard/places#districts" aria-current={province ? undefined : 'true'}>
            {d.withCases}
          </a>
          {Object.keys(PROVINCE_NAMES).map((c) => (
            <>
              {' · '}
              <a href={`/dashboard/places?province=${c}#districts`} aria-current={province === c ? 'true' : undefined}>
                {provinceName(c)}
              </a>
            </>
          ))}
        </p>
        {districts.length === 0 ? (
          <p>{d.none}</p>
        ) : (
          <DataTable caption={`${d.districts} — ${d.table}`} heads={heads(d.district)} numeric={[1, 2, 3, 4, 5]} rows={districts.map((p) => ({ key: p.code, cells: cells(p, <bdi dir="ltr">{p.name}</bdi>) }))} />
        )}
      </section>
      <section aria-labelledby="egdi">
        <h2 id="egdi">{d.egdi}</h2>
        <div class="two">
          <Bars max={1} rows={places.egdi.southAsia.map((r) => ({ label: `${r.country} ${digits(r.egdi.toFixed(4), lang)}`, value: r.egdi }))} />
          <DataTable
            caption={`${d.egdi} — ${d.table}${egdiPk ? ` (${d.worldMean} ${digits(places.egdi.worldMean.toFixed(4), lang)})` : ''}`}
            heads={[d.country, d.score, d.rank]}
            numeric={[1, 2]}
            rows={places.egdi.southAsia.map((r) => ({ key: r.country, cells: [<bdi dir="ltr">{r.country}</bdi>, digits(r.egdi.toFixed(4), lang), digits(r.rank, lang)] }))}
          />
        </div>
      </section>
      <section aria-labelledby="sources">
        <h2 id="sources">{d.sources}</h2>
        <ul>
          {Object.entries(places.sources).map(([k, s]) => (
            <li key={k} lang="en" dir="ltr">
              {s}
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  );
}

function OpenDataScreen({ v, releases, figures, publicUrl }: { v: View; releases: Array<{ release: ReleaseSummary; receipt: { index: number; proof: string; entry: string } | undefined }>; figures: PublicFigures; publicUrl: string }) {
  const { d, lang } = v;
  const base = publicUrl.replace(/\/$/, '');
  return (
    <Screen v={v} title={d.openData}>
      <p>
        {d.releasesIntro}{' '}
        <a href="/open-data/catalog.jsonld" hreflang="en">
          {d.catalog} (DCAT-AP)
        </a>
      </p>
      <p class="hint">{d.suppressed}</p>
      <section aria-labelledby="ledger">
        <h2 id="ledger">{d.ledger}</h2>
        <dl class="facts">
          <dt>{d.size}</dt>
          <dd>{digits(figures.ledger.size, lang)}</dd>
          <dt>{d.checkpoint}</dt>
          <dd>
            <a href="/ledger/checkpoint">
              <bdi dir="ltr" class="ltr">
                {figures.ledger.origin}
              </bdi>
            </a>{' '}
            · {d.signatures}: {digits(figures.ledger.signatures, lang)}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="releases">
        <h2 id="releases">{d.releases}</h2>
        {releases.length === 0 ? <p>{d.noReleases}</p> : null}
        {releases.map(({ release: r, receipt }) => {
          const folder = `/open-data/releases/${r.version}/`;
          const [proofHead, checkpoint] = receipt ? splitProof(receipt.proof) : ['', ''];
          return (
            <article class="card release" key={r.version} data-release={r.version} aria-labelledby={`r-${r.version}`}>
              <h3 id={`r-${r.version}`}>
                {d.version} <bdi dir="ltr">{r.version}</bdi>
              </h3>
              <dl class="facts">
                <dt>{d.publishedAt}</dt>
                <dd>{moment(r.publishedAt, lang)}</dd>
                <dt>{d.period}</dt>
                <dd>
                  {day(r.from, lang)} – {day(r.to, lang)}
                </dd>
                <dt>{d.digest}</dt>
                <dd>
                  <code class="mono" dir="ltr">
                    sha256:{r.digest}
                  </code>
                </dd>
                <dt>{d.leaf}</dt>
                <dd data-leaf={receipt?.index}>{receipt ? digits(receipt.index, lang) : d.noData}</dd>
              </dl>
              <h4>{d.files}</h4>
              <ul class="files">
                {[...r.files, 'receipt.json'].map((f) => (
                  <li key={f}>
                    <a href={`${folder}${f}`} download={f} dir="ltr">
                      {f}
                    </a>
                  </li>
                ))}
              </ul>
              {receipt ? (
                <details>
                  <summary>
                    {d.proof} · {d.checkpoint}
                  </summary>
                  <pre class="mono proof" dir="ltr" tabindex={0} aria-label={d.proof}>
                    {proofHead}
                  </pre>
                  <pre class="mono proof" dir="ltr" tabindex={0} aria-label={d.checkpoint}>
                    {checkpoint}
                  </pre>
                </details>
              ) : null}
              <p>
                {d.verifyWith}:{' '}
                <code class="mono" dir="ltr">
                  rabta open-data verify {base}
                  {folder}
                </code>
              </p>
            </article>
          );
        })}
      </section>
    </Screen>
  );
}

/** A tlog-proof is its header, index and hashes, a blank line, then the signed checkpoint. */
function splitProof(proof: string): [string, string] {
  const at = proof.indexOf('\n\n');
  return at < 0 ? [proof, ''] : [proof.slice(0, at), proof.slice(at + 2)];
}

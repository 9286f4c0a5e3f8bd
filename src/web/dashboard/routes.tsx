/** @jsxImportSource preact */
import type { FastifyInstance } from 'fastify';
import type { PublicFigures, WebCapabilities } from '../capabilities.js';
import type { WebFrame } from '../http/frame.js';
import { Icon } from '../icons.js';
import { digits } from '../i18n/format.js';
import type { Lang } from '../i18n/strings.js';
import { PortalPage } from '../layout.js';
import type { PageContext } from '../layout.js';
import { DASHBOARD_STRINGS } from './strings.js';

/** Counts from 1 to 9 are not published, as in open data: a small count can single a person out. */
export function suppressed(count: number): boolean {
  return count > 0 && count < 10;
}

type D = Record<keyof (typeof DASHBOARD_STRINGS)['en'], string>;

/**
 * The public dashboard, without sign-in: what Rabta's own records show today,
 * read through the modules' interfaces (exchange counts per institution pair,
 * events per topic, the log's size and signatures). Each chart is a list of
 * bars with the same numbers in a table beside it. The analytics module's
 * indicators replace these figures when it lands.
 */
export function dashboardRoutes(app: FastifyInstance, caps: WebCapabilities, frame: WebFrame) {
  app.get('/dashboard', async (request, reply) => {
    const ctx = frame.context(request, '/dashboard', { assets: { css: frame.assets.css } });
    const figures = await caps.figures();
    return frame.page(request, reply, <DashboardPage ctx={ctx} figures={figures} />);
  });
}

function DashboardPage({ ctx, figures }: { ctx: PageContext; figures: PublicFigures }) {
  const d: D = DASHBOARD_STRINGS[ctx.lang];
  const lang = ctx.lang;
  const names = new Map(figures.institutions.map((m) => [m.id, lang === 'ur' ? m.nameUr || m.nameEn : m.nameEn || m.nameUr]));
  const name = (id: string) => names.get(id) ?? id;
  const exchanges = figures.exchanges.map((e) => ({ label: `${name(e.client)} → ${name(e.provider)}`, cells: [name(e.client), name(e.provider)], count: e.count }));
  const events = figures.events.map((e) => ({ label: `${name(e.publisher)}: ${e.topic.split('/').slice(3).join('/')}`, cells: [name(e.publisher), e.topic.split('/').slice(3).join('/')], count: e.count }));
  return (
    <PortalPage ctx={ctx} title={d.title}>
      <h1>
        <Icon name="chart" /> {d.title}
      </h1>
      <p>{d.intro}</p>
      <p class="hint">{d.suppressed}</p>
      <Figure id="exchanges" title={d.exchanges} heads={[d.from, d.to]} rows={exchanges} d={d} lang={lang} />
      <Figure id="events" title={d.events} heads={[d.publisher, d.topic]} rows={events} d={d} lang={lang} />
      <section aria-labelledby="ledger">
        <h2 id="ledger">{d.ledger}</h2>
        <dl class="facts">
          <dt>{d.size}</dt>
          <dd>{digits(figures.ledger.size, lang)}</dd>
          <dt>{d.checkpoint}</dt>
          <dd>
            <bdi dir="ltr" class="ltr">
              {figures.ledger.origin}
            </bdi>{' '}
            · {digits(figures.ledger.signatures, lang)} ✍
          </dd>
        </dl>
      </section>
    </PortalPage>
  );
}

function Figure({ id, title, heads, rows, d, lang }: { id: string; title: string; heads: [string, string]; rows: Array<{ label: string; cells: string[]; count: number }>; d: D; lang: Lang }) {
  const max = Math.max(1, ...rows.map((r) => (suppressed(r.count) ? 0 : r.count)));
  const shown = (count: number) => (suppressed(count) ? digits('< 10', lang) : digits(count, lang));
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p>{d.none}</p>
      ) : (
        <div class="two">
          {/* The chart is a picture of the table beside it: hidden from screen readers, which read the table. */}
          <ul class="bars" aria-hidden="true">
            {rows.map((r) => (
              <li key={r.label}>
                <span>{r.label}</span>
                {/* SVG attributes, not a style attribute: the CSP allows no inline style. */}
                <svg class="bar-svg" viewBox="0 0 100 10" preserveAspectRatio="none" width="100%" height="18" focusable="false">
                  <rect width={suppressed(r.count) ? 100 : Math.max(1, Math.round((r.count / max) * 100))} height="10" class={suppressed(r.count) ? 'bar-hidden' : 'bar-shown'} />
                </svg>
              </li>
            ))}
          </ul>
          <div class="scroll" tabindex={0} role="region" aria-label={`${title} — ${d.table}`}>
            <table>
              <caption>
                {title} — {d.table}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{heads[0]}</th>
                  <th scope="col">{heads[1]}</th>
                  <th scope="col" class="num">
                    {d.count}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.label}>
                    <td>{r.cells[0]}</td>
                    <td>{r.cells[1]}</td>
                    <td class="num">{shown(r.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { Icon, WithIcon } from './icons.js';
import type { Lang, Strings } from './i18n/strings.js';

export interface PageContext {
  lang: Lang;
  t: Strings;
  /** the form token for this visitor (signed double-submit) */
  csrf: string;
  /** the path this page answers, for the language switch to come back to */
  path: string;
  /** masked CNIC when a citizen is signed in */
  signedIn?: string;
  assets: { css: string; js?: string };
}

export function Csrf({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="csrf" value={ctx.csrf} />;
}

/**
 * Words the interface did not write (an institution's name, a notice, her
 * complaint): isolated in direction, and set in the installed or system Urdu
 * font, because the web font is cut to the shapes of the interface's own
 * sentences (font.ts) and would join other words wrongly.
 */
export function Free({ children }: { children: ComponentChildren }) {
  return (
    <bdi class="free" dir="auto">
      {children}
    </bdi>
  );
}

/** A table with its caption, in a region that scrolls on a narrow screen and is reachable by keyboard. */
export function ScrollTable({ caption, heads, numeric = [], children }: { caption: string; heads: readonly string[]; numeric?: readonly number[]; children: ComponentChildren }) {
  return (
    <div class="scroll" tabindex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {heads.map((h, i) => (
              <th scope="col" class={numeric.includes(i) ? 'num' : undefined} key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The citizen portal's frame: Urdu right to left, English one tap away in the header. */
export function PortalPage({ ctx, title, children }: { ctx: PageContext; title: string; children: ComponentChildren }) {
  const { t, lang } = ctx;
  const other: Lang = lang === 'ur' ? 'en' : 'ur';
  return (
    <html lang={lang} dir={lang === 'ur' ? 'rtl' : 'ltr'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t.siteName}`}</title>
        <link rel="stylesheet" href={`/assets/${ctx.assets.css}`} />
        {ctx.assets.js ? <script src={`/assets/${ctx.assets.js}`} defer /> : null}
      </head>
      <body>
        <a class="skip" href="#main">
          {t.skip}
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              {t.siteName}
            </a>
            <div class="tools">
              <form method="post" action="/lang">
                <Csrf ctx={ctx} />
                <input type="hidden" name="lang" value={other} />
                <input type="hidden" name="back" value={ctx.path} />
                <button type="submit" lang={other} aria-label={`${t.switchLang}: ${t.otherLang}`}>
                  <Icon name="globe" /> {t.otherLang}
                </button>
              </form>
              {ctx.signedIn ? (
                <form method="post" action="/sign-out">
                  <Csrf ctx={ctx} />
                  <button type="submit">
                    <Icon name="door" class="flip" /> {t.signOut}
                  </button>
                </form>
              ) : null}
            </div>
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {ctx.signedIn && ctx.path !== '/' ? (
            <nav class="crumbs" aria-label={t.home}>
              <a href="/">
                <WithIcon icon="back">{t.home}</WithIcon>
              </a>
            </nav>
          ) : null}
          {children}
        </main>
      </body>
    </html>
  );
}

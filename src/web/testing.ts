import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';

/** Debian's chromium, never a downloaded one; flags keep it from phoning home during tests. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.RABTA_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'],
  });
}

/** axe-core with the WCAG 2.1 A and AA rules: the page must have no violation at all. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found).toEqual([]);
}

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** The README's pictures of each face, taken where the tests already are. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/**
 * What a first visit to a page costs on the wire: every response the page
 * caused (HTML, CSS, font, JS), as transferred (gzip where the server
 * compresses; woff2 is compressed already). Needs a fresh context: nothing
 * cached.
 */
export async function firstLoadBytes(page: Page, url: string): Promise<{ total: number; parts: Record<string, number> }> {
  const parts: Record<string, number> = {};
  const pending: Array<Promise<void>> = [];
  const listener = (response: import('playwright-core').Response) => {
    pending.push(
      response
        .request()
        .sizes()
        .then((sizes) => {
          const path = new URL(response.url()).pathname;
          parts[path] = (parts[path] ?? 0) + sizes.responseBodySize + sizes.responseHeadersSize;
        }),
    );
  };
  page.on('response', listener);
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await Promise.all(pending);
  page.off('response', listener);
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/** The focused element shows a focus indicator (outline or box-shadow). */
export async function expectVisibleFocus(page: Page): Promise<void> {
  const style = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow };
  });
  expect(style).not.toBeNull();
  expect(style?.outline !== 'none' && style?.width !== '0px' ? true : style?.shadow !== 'none').toBe(true);
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { render } from 'preact-render-to-string';
import type { VNode } from 'preact';
import { RabtaError, PROBLEMS } from '../../core/index.js';
import type { WebCapabilities } from '../capabilities.js';
import { subsetFontFile } from '../font.js';
import { strings } from '../i18n/strings.js';
import type { Lang } from '../i18n/strings.js';
import type { PageContext } from '../layout.js';
import { parseCookies, serializeCookie } from './cookies.js';
import type { CookieOptions } from './cookies.js';
import { csrfMatches, csrfToken, newCsrfSecret, webKeys } from './seal.js';

/** The strict policy of issue #15: nothing inline, nothing from elsewhere, no framing, forms only to us. */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const COOKIE = { session: 'rabta_session', signIn: 'rabta_signin', csrf: 'rabta_csrf', lang: 'rabta_lang', console: 'rabta_console' } as const;

export interface Asset {
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer | null;
}

export type Form = Record<string, string | string[]>;

/** What each web request knows once its cookies are read. */
export interface Visit {
  lang: Lang;
  cookies: Map<string, string>;
  csrf: string;
}

const ASSET_DIR = new URL('../assets/', import.meta.url);

function hashed(file: string, type: string, transform: (text: string) => string = (s) => s): Asset {
  const text = transform(readFileSync(new URL(file, ASSET_DIR), 'utf8'));
  const body = Buffer.from(text);
  const [stem, ext] = file.split('.') as [string, string];
  const name = `${stem}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`;
  return { name, type, body, gzip: gzipSync(body, { level: 9 }) };
}

/**
 * The web's frame around every page: security headers, the form parser, the
 * visitor's language and CSRF cookie, content-hashed assets (cached for a
 * year), HTML rendering with gzip, and errors as pages rather than JSON.
 */
export function webFrame(app: FastifyInstance, caps: WebCapabilities) {
  const keys = webKeys(caps.sessionSecret);
  const secure = new URL(caps.publicUrl).protocol === 'https:';
  const font = subsetFontFile(caps.dataDir);
  // Start building the font at once, so the first Urdu page does not wait for it.
  void font.bytes().catch((error: unknown) => process.emitWarning(`web font subset: ${(error as Error).message}`));
  const css = hashed('site.css', 'text/css; charset=utf-8', (text) => text.replace('__FONT__', font.name));
  const assets = new Map<string, Asset>();
  const register = (asset: Asset) => {
    assets.set(asset.name, asset);
    return asset.name;
  };
  const names = {
    css: register(css),
    portalJs: register(hashed('portal.js', 'text/javascript; charset=utf-8')),
    verifyJs: register(hashed('verify.js', 'text/javascript; charset=utf-8')),
  };
  const visits = new WeakMap<FastifyRequest, Visit>();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 32 * 1024 }, (_request, body, done) => {
    const form: Form = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const seen = form[key];
      form[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, form);
  });

  app.addHook('onRequest', async (request, reply) => {
    const cookies = parseCookies(request.headers.cookie);
    const langCookie = cookies.get(COOKIE.lang);
    let csrfSecret = cookies.get(COOKIE.csrf);
    if (!csrfSecret || !/^[A-Za-z0-9_-]{32}$/.test(csrfSecret)) {
      // A POST without the cookie fails its check below; a GET gets one for its forms.
      csrfSecret = newCsrfSecret();
      if (request.method === 'GET') appendCookie(reply, COOKIE.csrf, csrfSecret, { sameSite: 'Strict', secure, maxAge: 86_400 });
      else csrfSecret = undefined;
    }
    visits.set(request, { lang: langCookie === 'en' ? 'en' : 'ur', cookies, csrf: csrfSecret ? csrfToken(keys.csrf, csrfSecret) : '' });
  });

  // Every POST of every face carries the form token.
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    const form = (request.body ?? {}) as Form;
    if (!csrfMatches(keys.csrf, visitOf(request).cookies.get(COOKIE.csrf), form.csrf)) throw new RabtaError('forbidden', 'the form token is missing or does not match: reload the page');
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    if (name === font.name) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.type('font/woff2').send(await font.bytes());
    }
    const asset = assets.get(name);
    if (!asset) throw new RabtaError('not-found', 'no such asset');
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    reply.header('vary', 'accept-encoding');
    reply.type(asset.type);
    if (asset.gzip && acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.body);
  });

  function visitOf(request: FastifyRequest): Visit {
    const visit = visits.get(request);
    if (!visit) throw new Error('web request without its visit');
    return visit;
  }

  function appendCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions) {
    const existing = reply.getHeader('set-cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
    reply.header('set-cookie', [...list, serializeCookie(name, value, options)]);
  }

  return {
    keys,
    secure,
    assets: names,
    fontName: font.name,
    visitOf,
    setCookie(reply: FastifyReply, name: string, value: string, options: Omit<CookieOptions, 'secure'>) {
      appendCookie(reply, name, value, { ...options, secure });
    },
    clearCookie(reply: FastifyReply, name: string, path = '/') {
      appendCookie(reply, name, '', { sameSite: 'Lax', secure, maxAge: 0, path });
    },
    context(request: FastifyRequest, path: string, extra: Partial<PageContext> = {}): PageContext {
      const visit = visitOf(request);
      return { lang: visit.lang, t: strings(visit.lang), csrf: visit.csrf, path, assets: { css: names.css, js: names.portalJs }, ...extra };
    },
    /** a page: server-rendered HTML, gzipped when the browser takes gzip */
    page(request: FastifyRequest, reply: FastifyReply, vnode: VNode, status = 200) {
      const html = Buffer.from(`<!doctype html>${render(vnode)}`);
      reply.status(status).type('text/html; charset=utf-8').header('vary', 'accept-encoding');
      if (acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(gzipSync(html));
      return reply.send(html);
    },
    /** POST/redirect/GET: 303 so the browser's back and reload never resend a form */
    redirect(reply: FastifyReply, to: string) {
      return reply.status(303).header('location', to).send();
    },
  };
}

export type WebFrame = ReturnType<typeof webFrame>;

function acceptsGzip(request: FastifyRequest): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

export function statusOf(error: unknown): number {
  if (error instanceof RabtaError) return PROBLEMS[error.code].status;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

export function field(form: Form, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] ?? '') : '';
}

export function fields(form: Form, name: string): string[] {
  const value = form[name];
  return typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
}

/** A path of ours to come back to (no scheme, no other host, no protocol-relative `//`). */
export function localPath(value: string): string {
  return /^\/(?![/\\])[\w\-./]*$/.test(value) ? value : '/';
}

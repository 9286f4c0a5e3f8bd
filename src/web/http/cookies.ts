/** Just enough of RFC 6265 for the web's own cookies: no cookie plugin is installed, and these are few and simple. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!jar.has(name)) {
      try {
        jar.set(name, decodeURIComponent(value));
      } catch {
        // A cookie we did not write (bad escapes): ignore it rather than fail the page.
      }
    }
  }
  return jar;
}

export interface CookieOptions {
  maxAge?: number;
  path?: string;
  sameSite: 'Strict' | 'Lax';
  secure: boolean;
  httpOnly?: boolean;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, `SameSite=${options.sameSite}`];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

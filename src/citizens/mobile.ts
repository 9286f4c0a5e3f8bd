/**
 * Mobile numbers in E.164. Pakistani numbers arrive in every local shape
 * (0300-1234567, 923001234567, +92 300 1234567); SMS gateways report the
 * sender without the plus. All of them become +923001234567, so a reply
 * from the phone finds the citizen registered with it.
 */
const E164 = /^\+[1-9]\d{7,14}$/;

export function normalizeMobile(text: string): string | undefined {
  const compact = text.replace(/[\s().-]/g, '');
  let candidate: string;
  if (/^03\d{9}$/.test(compact)) candidate = `+92${compact.slice(1)}`;
  else if (/^00[1-9]\d{7,14}$/.test(compact)) candidate = `+${compact.slice(2)}`;
  else if (/^92\d{10}$/.test(compact)) candidate = `+${compact}`;
  else if (/^3\d{9}$/.test(compact)) candidate = `+92${compact}`;
  else candidate = compact;
  return E164.test(candidate) ? candidate : undefined;
}

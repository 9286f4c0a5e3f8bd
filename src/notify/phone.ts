import { RabtaError } from '../core/index.js';

const E164 = /^\+[1-9]\d{7,14}$/;

export function isE164(number: string): boolean {
  return E164.test(number);
}

export function assertE164(number: string): void {
  if (!E164.test(number)) {
    // The number itself is personal data, so the error does not repeat it.
    throw new RabtaError('bad-request', 'The destination must be an E.164 number such as +923001234567');
  }
}

/**
 * `+92300****567`: enough for an operator to tell two phones apart in a log,
 * not enough to call one. Anything that is not a plausible number is starred
 * whole rather than partly shown.
 */
export function maskPhone(number: string): string {
  if (!/^\+?\d{8,15}$/.test(number)) return '*'.repeat(Math.min(number.length, 16));
  const head = number.startsWith('+') ? 6 : 5;
  return `${number.slice(0, head)}${'*'.repeat(number.length - head - 3)}${number.slice(-3)}`;
}

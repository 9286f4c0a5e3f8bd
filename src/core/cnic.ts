import { createHmac } from 'node:crypto';

/**
 * A CNIC is 13 digits, written NNNNN-NNNNNNN-N. It is personal data: it is only
 * ever stored as a keyed hash, shown masked, and never logged.
 */
const WRITTEN = /^(\d{5})-?(\d{7})-?(\d)$/;

/** The 13 ASCII digits, or undefined if the text is not a CNIC. */
export function normalizeCnic(text: string): string | undefined {
  const match = WRITTEN.exec(text.trim());
  return match ? `${match[1]}${match[2]}${match[3]}` : undefined;
}

export function formatCnic(digits: string): string {
  return `${digits.slice(0, 5)}-${digits.slice(5, 12)}-${digits.slice(12)}`;
}

/** `35202-*****67-1`: enough for its owner to recognise, not enough to find them. */
export function maskCnic(digits: string): string {
  return `${digits.slice(0, 5)}-*****${digits.slice(10, 12)}-${digits.slice(12)}`;
}

/** HMAC-SHA-256 over exactly the 13 digits with the instance's subject secret, hex. */
export function subjectHash(secret: Buffer, digits: string): string {
  if (!/^\d{13}$/.test(digits)) throw new Error('subjectHash needs exactly 13 digits');
  return createHmac('sha256', secret).update(digits, 'ascii').digest('hex');
}

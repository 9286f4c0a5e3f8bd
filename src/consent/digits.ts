/**
 * Phones in Pakistan type Urdu (Extended Arabic-Indic, ۰–۹) or Arabic-Indic
 * (٠–٩) digits as readily as ASCII ones; a code means the same in any of them.
 */
export function asciiDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/**
 * What lists show of personal data: a phone number's last digits only, and a message's length instead of its
 * words. The event page, behind the same login, shows both in full (issue #18 point 5).
 */

/** `+13125550143` → `•••0143`; numbers of 4 digits or fewer become `•••`. */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/\D/g, '');
  return digits.length <= 4 ? '•••' : `•••${digits.slice(-4)}`;
}

/** Message text as a list shows it: `(text, 42 chars)`, or nothing without text. */
export function maskText(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return `(text, ${[...text].length} chars)`;
}

/**
 * The SMTP login with smtp.auth: PLAIN only to a server that offers it, so the password never goes to a server
 * that did not offer AUTH.
 */
import type { SMTPConnectionCustomAuthContext } from 'nodemailer/lib/smtp-connection';

/** Thrown instead of logging in to a server that offers no mechanism we can run; nothing was sent to it. */
export class NoLoginOffered extends Error {
  constructor() {
    super('the server offers no AUTH mechanism we can use (PLAIN, LOGIN or CRAM-MD5); credentials not sent');
    this.name = 'NoLoginOffered';
  }
}

/**
 * nodemailer's AUTH PLAIN, run only when the server's EHLO answer lists PLAIN. With forceAuth nodemailer logs in
 * with the first mechanism the server lists (PLAIN, LOGIN, CRAM-MD5) and with PLAIN when it lists none: a server
 * that never offered AUTH (the wrong port, a relay for anyone, a middlebox that strips STARTTLS and AUTH) got
 * the password, base64 on a plain connection. Given as nodemailer's `customAuth.PLAIN`, this refuses before any
 * command in that case; LOGIN and CRAM-MD5, which nodemailer picks only when listed, stay nodemailer's own.
 */
export async function plainIfOffered({ auth, authMethods, sendCommand }: SMTPConnectionCustomAuthContext) {
  if (!authMethods.includes('PLAIN')) throw new NoLoginOffered();
  const { user, pass } = auth.credentials;
  // As nodemailer sends it: no authorization identity (some servers choke on one), then user and password.
  const answer = await sendCommand(
    `AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64')}`,
  );
  // nodemailer adds the server's answer to the message and sets the response code from it.
  if (answer.status < 200 || answer.status > 299) throw new Error('Invalid login');
}

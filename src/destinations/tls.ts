/**
 * Trusting a private CA for a destination's TLS (part of the plugin SDK, sdk.ts): the email destination's
 * `smtp.ca` and the http destination's `ca`.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * The PEM text of the CA file an option names, read when the config loads (so `switchboard check` reports a
 * missing or unreadable file, not the first send). Throws a plain error naming the option and the file.
 */
export function readCaFile(path: string, option: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${option} ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`${option} ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return pem;
}

/** Node's `ca` replaces the public CAs: these keep them, and add the configured one. */
export function withPublicCas(pem: string): string[] {
  return [...rootCertificates, pem];
}

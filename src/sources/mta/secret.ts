/**
 * Webhook secrets for MTA registrations: generated here, kept in a file only the user can read, never printed
 * unless asked. MTA "suggests a 128-character hex string" (docs: tutorials/webhooks/setting-up-your-first-webhook);
 * the HMAC key is that string's bytes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile } from 'node:fs/promises';

/** 128 lowercase hex characters (512 bits) from the OS CSPRNG. */
export function generateSecret(): string {
  return randomBytes(64).toString('hex');
}

/** The secret in a file written by writeSecretFile (or by hand), or undefined when the file does not exist. */
export async function readSecretFile(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const secret = text.trim();
  if (secret === '') throw new Error(`${path} is empty: remove it to have a new secret generated into it`);
  if (/\s/.test(secret)) throw new Error(`${path} must hold one secret on one line`);
  return secret;
}

/**
 * Writes a new secret to a file that must not exist yet, readable and writable by its owner only (0600, also
 * under a permissive umask). Refusing to overwrite keeps a secret that MTA may already sign with.
 */
export async function writeSecretFile(path: string, secret: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(`${secret}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(path, 0o600);
}

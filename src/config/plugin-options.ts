import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { at, fail, type KeyPath, type Validation } from './issues.ts';
import { strict } from './keys.ts';
import { reportErrors } from './report.ts';
import type { Secrets } from './secrets.ts';

/**
 * Decodes a plugin's options (a source's or a destination's) with the plugin's own codec made `strict` (keys it
 * does not declare are issues with a suggestion). Every issue is located under `path`; a codec that throws is
 * reported as the plugin's failure (`who` names it), never a crash.
 */
export function decodePluginOptions(
  codec: t.Decoder<unknown, unknown>,
  raw: Record<string, unknown>,
  opts: { path: KeyPath; who: string; coreKeys?: readonly string[] },
  secrets?: Secrets,
): Validation<unknown> {
  let result: t.Validation<unknown>;
  try {
    // The core's own keys (taken out of `raw` before) are allowed too: an unknown key is matched against them for
    // a suggestion (`allowUnsinged` → allowUnsigned) and listed with them.
    result = strict(codec, opts.coreKeys).decode(raw);
  } catch (err) {
    const message = `${opts.who} failed while checking its options: ${(err as Error).message}`;
    return fail(opts.path, secrets ? secrets.redact(message) : message);
  }
  return at(opts.path, E.mapLeft((errors: t.Errors) => reportErrors(errors, secrets))(result));
}

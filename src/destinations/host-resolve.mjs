/**
 * A module resolve hook (node:module register) for plugins outside this repository. A plugin folder such as
 * /etc/switchboard/plugins has no node_modules, so `import { t } from 'switchboard/plugin-sdk'` or
 * `import * as t from 'io-ts'` would fail there. When the normal resolution finds nothing, these shared
 * specifiers are resolved as if imported from the gateway itself, so plugins and the core share one copy
 * (one io-ts: codecs made by a plugin are the core's codecs). Anything a plugin installs itself still wins.
 *
 * Plain JavaScript: hooks run on their own thread, before any TypeScript loader.
 */

/** Specifiers the gateway provides to plugins. */
const SHARED = /^(switchboard\/plugin-sdk|io-ts(\/.*)?|fp-ts(\/.*)?)$/;

let gatewayUrl;

/** Receives the gateway's package.json URL from register(). */
export function initialize(data) {
  gatewayUrl = data.gatewayUrl;
}

/**
 * Resolves as usual; a shared specifier that is not found resolves from the gateway instead. A TypeScript
 * file outside any package (no package.json says "type") is read as an ES module: plugins are written with
 * import/export, and read as CommonJS their imports would bypass this hook and fail.
 */
export async function resolve(specifier, context, next) {
  let resolved;
  try {
    resolved = await next(specifier, context);
  } catch (err) {
    if (!SHARED.test(specifier) || gatewayUrl === undefined) throw err;
    return next(specifier, { ...context, parentURL: gatewayUrl });
  }
  const typescript = /\.ts$/.test(resolved.url) && !resolved.url.includes('/node_modules/');
  if (typescript && resolved.url.startsWith('file:') && resolved.format !== 'module') {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}

/**
 * A module resolve hook (node:module register) for plugins outside this repository. A plugin folder such as
 * /etc/switchboard/plugins has no node_modules, so `import { t } from 'switchboard/plugin-sdk'` or
 * `import * as t from 'io-ts'` would fail there. When the normal resolution finds nothing, these shared
 * specifiers are resolved as if imported from the gateway itself, so plugins and the core share one copy
 * (one io-ts: codecs made by a plugin are the core's codecs). Anything a plugin installs itself still wins.
 *
 * Plain JavaScript: hooks run on their own thread, before any TypeScript loader.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Specifiers the gateway provides to plugins. */
const SHARED = /^(switchboard\/plugin-sdk|io-ts(\/.*)?|fp-ts(\/.*)?)$/;

let gatewayUrl;
let sdkUrl;

/** Receives the gateway's package.json URL and its plugin SDK module's URL from register(). */
export function initialize(data) {
  gatewayUrl = data.gatewayUrl;
  sdkUrl = data.sdkUrl;
}

/**
 * Resolves as usual; a shared specifier that is not found resolves from the gateway instead. A TypeScript
 * file outside any package (no package.json says "type") is read as an ES module: plugins are written with
 * import/export, and read as CommonJS their imports would bypass this hook and fail. So is a `.js` file outside
 * node_modules that no package.json gives a "type" and that has import/export statements (a `.js` with only
 * require/module.exports, and every `.cjs`, stays CommonJS).
 */
export async function resolve(specifier, context, next) {
  // Always the running gateway's own SDK (built or not), never a second copy by the package's exports map.
  if (specifier === 'switchboard/plugin-sdk' && sdkUrl !== undefined) return next(sdkUrl, context);
  let resolved;
  try {
    resolved = await next(specifier, context);
  } catch (err) {
    if (!SHARED.test(specifier) || gatewayUrl === undefined) throw err;
    return next(specifier, { ...context, parentURL: gatewayUrl });
  }
  const local = resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/');
  if (!local || resolved.format === 'module') return resolved;
  if (/\.ts$/.test(resolved.url)) return { ...resolved, format: 'module' };
  if (/\.js$/.test(resolved.url) && resolved.format === 'commonjs') {
    const file = fileURLToPath(resolved.url);
    if (declaredType(dirname(file)) === undefined && looksLikeEsm(file)) return { ...resolved, format: 'module' };
  }
  return resolved;
}

/** The "type" of the nearest package.json above `dir`, or undefined when none says (or there is none). */
function declaredType(dir) {
  for (let here = dir; ; here = dirname(here)) {
    let text;
    try {
      text = readFileSync(join(here, 'package.json'), 'utf8');
    } catch {
      if (dirname(here) === here) return undefined;
      continue;
    }
    try {
      const type = JSON.parse(text).type;
      return typeof type === 'string' ? type : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Whether a file has a top-level import or export statement (what Node 22 detects by itself). */
function looksLikeEsm(file) {
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return /^[ \t]*(import[ \t]*[\w{*'"]|export[ \t]+(default|const|let|var|function|class|async|\{|\*))/m.test(source);
}

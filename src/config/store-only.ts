/**
 * What operator commands (`deliveries`, `replay`, `pause`, `destinations`, ...) need from the config: the
 * `store` section, validated, and the names of destinations and routes as written. Nothing else is interpolated
 * or validated, so these commands keep working in an incident: with a destination's secret unset, or right after
 * an edit the running gateway refused.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isRecord } from './codecs.ts';
import { type Env, interpolate } from './interpolate.ts';
import { formatPath, type KeyPath } from './issues.ts';
import { formatIssue } from './load.ts';
import { locate, parseYaml } from './parse.ts';
import { decodeStore, type Findings } from './schema.ts';
import { collectKeyedSecrets, Secrets } from './secrets.ts';
import type { StoreConfig } from './types.ts';

/** The store section and the names in the file. `secrets`: every value that can be resolved, for redaction. */
export interface StoreOnlyConfig {
  file: string;
  store: StoreConfig;
  destinations: Array<{ name: string; type: string }>;
  routes: string[];
  secrets: string[];
}

/** Loads just the store section; `problems` are formatted `file:line:column path: message` lines. */
export async function loadStoreOnly(
  file: string,
  env: Env,
): Promise<{ ok: true; config: StoreOnlyConfig } | { ok: false; problems: string[] }> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [`${path}: ${code === 'ENOENT' ? 'config file not found' : (err as Error).message}`],
    };
  }
  const parsed = parseYaml(text);
  const at = (issue: { keyPath: KeyPath; path: string; message: string }) =>
    formatIssue({ file: path, ...locate(parsed, issue.keyPath), path: issue.path, message: issue.message });
  if (parsed.syntaxErrors.length > 0)
    return {
      ok: false,
      problems: parsed.syntaxErrors.map((e) =>
        formatIssue({ file: path, line: e.line, column: e.column, path: '', message: e.message }),
      ),
    };
  const js = parsed.doc.toJS() as unknown;
  const root = isRecord(js) ? js : {};
  const whole = interpolate(root, env);
  const secrets = new Secrets([...whole.secrets, ...collectKeyedSecrets(whole.value)]);
  const section = interpolate(root.store, env);
  const findings: Findings = { issues: [], warnings: [] };
  const store = decodeStore(section.value, findings, secrets);
  const issues = [...section.issues.map((i) => ({ ...i, path: ['store', ...i.path] })), ...findings.issues];
  if (issues.length > 0 || !store)
    return {
      ok: false,
      problems: issues.map((i) =>
        at({ keyPath: i.path, path: formatPath(i.path), message: secrets.redact(i.message) }),
      ),
    };
  const destinations = isRecord(root.destinations)
    ? Object.entries(root.destinations).map(([name, d]) => ({
        name,
        type: isRecord(d) && typeof d.type === 'string' ? d.type : 'unknown',
      }))
    : [];
  const routes = Array.isArray(root.routes)
    ? root.routes.map((r, i) => (isRecord(r) && typeof r.name === 'string' ? r.name : `route-${i}`))
    : [];
  return { ok: true, config: { file: path, store, destinations, routes, secrets: secrets.list() } };
}

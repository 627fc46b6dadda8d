/**
 * Stage 1b: `${NAME}` and `${NAME:-fallback}` in every string value, from an env object passed in.
 * `$${` writes a literal `${`; any other `${` must start a whole reference (`${MTA_X` with no `}`, or `${A:B}`, is
 * an issue, never literal text). Every non-empty substituted value becomes a secret (contract §2).
 */
import type { ConfigIssue, KeyPath } from './issues.ts';

/** The environment interpolation reads from (process.env in production, a literal object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The tree with variables replaced, what could not be replaced, and the values that must stay hidden. */
export interface Interpolated {
  value: unknown;
  issues: ConfigIssue[];
  secrets: string[];
}

/**
 * `$${` (escape), or `${NAME}` / `${NAME:-fallback}` (a fallback may be empty and may not contain `}`), or else
 * a `${` that starts no reference, up to its `}` or the end of the text (all of it is reported and dropped).
 */
const PATTERN = /\$\$\{|\$\{([^}:]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces variables in every string of a plain YAML-derived tree (keys are left as written). */
export function interpolate(value: unknown, env: Env): Interpolated {
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];
  const walk = (v: unknown, path: KeyPath): unknown => {
    if (typeof v === 'string') return interpolateString(v, env, path, issues, secrets);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    }
    return v;
  };
  const result = walk(value, []);
  return { value: result, issues, secrets: [...new Set(secrets)] };
}

function interpolateString(
  text: string,
  env: Env,
  path: KeyPath,
  issues: ConfigIssue[],
  secrets: string[],
): string {
  if (!text.includes('${')) return text;
  let substituted = false;
  const out = text.replace(PATTERN, (match: string, name?: string, fallback?: string) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      issues.push({ path, message: badReference(match) });
      return '';
    }
    const varName = (name ?? '').trim();
    if (!NAME.test(varName)) {
      issues.push({
        path,
        message: `"${match}" is not a valid variable reference (write \${NAME} or \${NAME:-default}, or $\${ for a literal \${)`,
      });
      return '';
    }
    if (fallback?.includes('${')) {
      // `${A:-${B:-x}}` would end at the first `}` and leave `${B:-x}` as literal text.
      issues.push({
        path,
        message: `the default of \${${varName}:-...} holds another \${...}: nested references are not supported (give a plain default, or set ${varName})`,
      });
      return '';
    }
    const fromEnv = env[varName];
    let replacement: string;
    if (fromEnv !== undefined) replacement = fromEnv;
    else if (fallback !== undefined) replacement = fallback;
    else {
      issues.push({
        path,
        message: `environment variable ${varName} is not set (set it, or write \${${varName}:-default})`,
      });
      return '';
    }
    substituted = true;
    if (replacement !== '') secrets.push(replacement);
    return replacement;
  });
  if (substituted && out !== '') secrets.push(out);
  return out;
}

/** Why `match` (a `${` up to its `}`, or to the end when it has none) is no reference; quotes only a name. */
function badReference(match: string): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the config's ${NAME} syntax.
  const fix = 'write ${NAME} or ${NAME:-default}, or $${ for a literal ${';
  if (match.endsWith('}')) return `"${match}" is not a valid variable reference (${fix})`;
  const start = /^\$\{[A-Za-z0-9_]*/.exec(match)?.[0] ?? '${';
  return `"${start}" is not a valid variable reference: it has no closing } (${fix})`;
}

import { type FS, Liquid, type Template as LiquidTemplate } from 'liquidjs';
import type { GatewayEvent } from '../event.ts';

/**
 * How values inserted into a template are escaped for the medium it ends up in:
 * - `none`   plain text (file lines, SMS-like bodies)
 * - `slack`  Slack mrkdwn: `&`, `<`, `>` become entities, so a reply saying `<!channel>` cannot ping anyone
 * - `html`   HTML bodies (email)
 * - `header` single-line header values: rendering fails if the result contains CR or LF
 * - `json`   values inserted inside JSON string literals (http body templates)
 * - `slack-json` both: Slack mrkdwn inside JSON string literals (a Slack `blocks` template)
 * Only the values from the event are escaped; the template's own literal text is the operator's.
 */
export type EscapeMode = 'none' | 'slack' | 'html' | 'header' | 'json' | 'slack-json';

/** A compiled template over the normalized event. */
export interface Template {
  readonly source: string;
  /** Renders for one event. Throws TemplateRenderError when the output is not acceptable (e.g. CR/LF in a header). */
  render(event: GatewayEvent): string;
}

/** Rendering failed for this event: a permanent failure for the delivery (retrying cannot fix it). */
export class TemplateRenderError extends Error {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

const ESCAPES: Record<EscapeMode, (s: string) => string> = {
  none: (s) => s,
  header: (s) => s,
  slack: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  html: (s) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
  json: (s) => JSON.stringify(s).slice(1, -1),
  'slack-json': (s) => ESCAPES.json(ESCAPES.slack(s)),
};

/** Escapes one value for a medium, for plugins that build text without a template. */
export function escapeFor(mode: EscapeMode, value: string): string {
  return ESCAPES[mode](value);
}

/** Tags that read files: a template is config, and config must not read the gateway's files. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/** A file system with nothing in it, so no tag or option can ever reach the real one. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

function engineFor(mode: EscapeMode): Liquid {
  const escapeValue = ESCAPES[mode];
  const engine = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true, // an unknown filter is a config error, not a silent no-op
    strictVariables: false, // a field absent from this event renders as ''
    ownPropertyOnly: true,
    // A template runs on the main thread for each event: a loop over a number from the event
    // (`{% for i in (1..messageId) %}`) ran out of memory and ended the process, again after every restart.
    // Past these limits the render fails, a permanent failure of that delivery. Real templates need a few ms.
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    outputEscape: (value: unknown) =>
      escapeValue(value == null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)),
  });
  // Refused when the template compiles, so a config using them is rejected with this message, not at send time.
  for (const tag of FILE_TAGS) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available: templates cannot read files (write the text inline)`);
      },
      render() {},
    });
  }
  return engine;
}

/** How long one render may take, in ms (liquidjs checks it as it goes). */
const RENDER_LIMIT_MS = 1000;
/** How many values one render may create (liquidjs counts range and array elements and string growth). */
const MEMORY_LIMIT = 10_000_000;

const engines = new Map<EscapeMode, Liquid>();

/** Compiles a Liquid template, or returns the syntax error in plain words. */
export function compileTemplate(
  source: string,
  mode: EscapeMode,
): { ok: true; template: Template } | { ok: false; error: string } {
  let engine = engines.get(mode);
  if (engine === undefined) {
    engine = engineFor(mode);
    engines.set(mode, engine);
  }
  let parsed: LiquidTemplate[];
  try {
    parsed = engine.parse(source);
  } catch (err) {
    return { ok: false, error: `template does not compile: ${(err as Error).message.split('\n')[0]}` };
  }
  if (mode === 'header') {
    const problem = headerTextProblem(parsed);
    if (problem !== undefined) return { ok: false, error: problem };
  }
  const liquid = engine;
  return {
    ok: true,
    template: {
      source,
      render(event) {
        let out: string;
        try {
          out = liquid.renderSync(parsed, event as unknown as Record<string, unknown>) as string;
        } catch (err) {
          const why = (err as Error).message.split('\n')[0];
          throw new TemplateRenderError(
            /limit exceeded/.test(why)
              ? `template failed for this event: it went past the limits of one render (${RENDER_LIMIT_MS} ms, ${MEMORY_LIMIT.toLocaleString('en-US')} values): ${why}; check its loops`
              : `template failed for this event: ${why}`,
          );
        }
        // liquidjs counts the values a loop or a filter makes, not the output: a loop of 1,000 over a 200 kB reply
        // rendered 200 MB in 40 ms (a string of pieces, cheap until a plugin encodes it, then held whole and copied).
        if (out.length > MEMORY_LIMIT) {
          throw new TemplateRenderError(
            `template failed for this event: it rendered ${out.length.toLocaleString('en-US')} characters, past the limits of one render (${RENDER_LIMIT_MS} ms, ${MEMORY_LIMIT.toLocaleString('en-US')} values); check its loops`,
          );
        }
        if (mode === 'header' && /[\r\n]/.test(out)) {
          throw new TemplateRenderError('rendered header value contains CR or LF; refusing to send it');
        }
        return out;
      },
    },
  };
}

/**
 * Why a header template can never render a sendable value, or undefined: its own literal text (outside the
 * `{{ }}` and `{% %}` tags, after their whitespace control) holds a line break or NUL, which every render would
 * refuse. The usual cause is a YAML block scalar (`|` or `>`), which keeps the value's final newline.
 */
function headerTextProblem(parsed: LiquidTemplate[]): string | undefined {
  for (const part of parsed) {
    const text = (part as { str?: unknown }).str;
    if (typeof text !== 'string') continue;
    if (/[\r\n]/.test(text))
      return "a header value cannot hold a line break, and this one's own text does (a YAML `|` or `>` block keeps its last newline: write the value on one line, or use `>-`)";
    if (text.includes('\0'))
      return "a header value cannot hold a NUL character (\\0), and this one's own text does";
  }
  return undefined;
}

/** A template that renders nothing: stands in for one that failed to compile (the config is then rejected). */
export const EMPTY_TEMPLATE: Template = { source: '', render: () => '' };

/** A PluginContext for tests: the real template compiler, with compile errors and log lines collected. */
import type * as t from 'io-ts';
import { formatPath } from '../../src/config/issues.ts';
import type { AttemptInfo, PluginContext } from '../../src/destinations/api.ts';
import { BUILTIN_SOURCES, layoutsFor } from '../../src/sources/builtin.ts';
import { compileTemplate, EMPTY_TEMPLATE } from '../../src/templates/template.ts';

/** A context plus what plugins reported through it. */
export interface TestContext {
  ctx: PluginContext;
  /** Template compile errors, as `key.path: message`. */
  templateErrors: string[];
  /** Everything logged, with its level. */
  logs: Array<{ level: string; obj: object; msg?: string }>;
}

/** Builds a context the way the config loader does, with a short timeout unless told otherwise. */
export function testContext(options: { timeoutMs?: number; name?: string } = {}): TestContext {
  const templateErrors: string[] = [];
  const logs: TestContext['logs'] = [];
  const log = (level: string) => (obj: object, msg?: string) => logs.push({ level, obj, msg });
  const ctx: PluginContext = {
    name: options.name ?? 'under-test',
    timeoutMs: options.timeoutMs ?? 5000,
    layouts: (type) => layoutsFor(BUILTIN_SOURCES.values(), type),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    template(key, source, mode) {
      const compiled = compileTemplate(source, mode);
      if (compiled.ok) return compiled.template;
      templateErrors.push(`${formatPath(typeof key === 'string' ? [key] : key)}: ${compiled.error}`);
      return EMPTY_TEMPLATE;
    },
  };
  return { ctx, templateErrors, logs };
}

/** Attempt info for a send; pass a controller's signal to abort it. */
export function attempt(overrides: Partial<AttemptInfo> = {}): AttemptInfo {
  return {
    number: 1,
    deliveryId: 'dlv_01J0000000000000000000TEST',
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Decodes options with a plugin's codec, throwing with the io-ts messages if they do not decode. */
export function decodeOrThrow<A>(codec: t.Decoder<unknown, A>, u: unknown): A {
  const result = codec.decode(u);
  if (result._tag === 'Right') return result.right;
  throw new Error(`options did not decode: ${decodeErrors(result.left).join('; ')}`);
}

/** The messages of io-ts errors, each with its key path, as the config loader would show them. */
export function decodeErrors(errors: t.Errors): string[] {
  return errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.');
    return `${path}: ${e.message ?? `expected ${e.context.at(-1)?.type.name}`}`;
  });
}

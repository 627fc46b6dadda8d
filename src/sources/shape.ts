import { ENVELOPE_KEYS } from '../event.ts';
import { PLUGIN_CONTENT_TYPES } from './api.ts';

/** Whether a plugin module's default export means to be a source (it names a `kind`, not a `type`). */
export function isSourceExport(exported: unknown): boolean {
  return typeof exported === 'object' && exported !== null && 'kind' in exported && !('type' in exported);
}

/** What is wrong with a default export, as a source plugin (empty when it is fine). */
export function sourceShapeProblems(exported: unknown): string[] {
  const p = exported as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof p.kind !== 'string' || !/^[a-z][a-z0-9-]*$/.test(p.kind))
    problems.push('`kind` must be a lowercase name like my-provider');
  const options = p.options as Record<string, unknown> | null | undefined;
  if (options === null || typeof options !== 'object' || typeof options.decode !== 'function')
    problems.push('`options` must be an io-ts codec (with decode)');
  if (typeof p.authenticate !== 'function') problems.push('`authenticate` must be a function');
  if (typeof p.decode !== 'function') problems.push('`decode` must be a function');
  if (
    p.eventTypes !== 'open' &&
    !(Array.isArray(p.eventTypes) && p.eventTypes.every((t) => typeof t === 'string'))
  )
    problems.push("`eventTypes` must be a list of type names or 'open'");
  if (
    p.contentTypes !== undefined &&
    !(
      Array.isArray(p.contentTypes) &&
      p.contentTypes.every((t) => (PLUGIN_CONTENT_TYPES as readonly unknown[]).includes(t))
    )
  )
    problems.push(`\`contentTypes\` must be a list of media types among: ${PLUGIN_CONTENT_TYPES.join(', ')}`);
  if (p.fields === null || typeof p.fields !== 'object') {
    problems.push('`fields` must map field paths to { kind }');
  } else {
    for (const [path, f] of Object.entries(p.fields as Record<string, unknown>)) {
      const head = path.split('.')[0];
      if ((ENVELOPE_KEYS as readonly string[]).includes(head) || head === 'fields')
        problems.push(`field "${path}" reuses the envelope's ${head}; name it something else`);
      const kind = (f as { kind?: unknown } | null)?.kind;
      if (!['string', 'number', 'boolean', 'json'].includes(kind as string))
        problems.push(`field "${path}" needs kind string, number, boolean or json`);
    }
  }
  return problems;
}

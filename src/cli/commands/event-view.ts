import type { EventDetail } from '../../store/types.ts';
import { shown, table } from '../table.ts';
import { describe } from './deliveries.ts';

/**
 * One event as `switchboard events ID` prints it: what it is, each route's verdict, and each delivery with its
 * attempts (the layout of `deliveries ID`). Free text is escaped (`shown`); `--json` prints the whole detail.
 */
export function describeEvent(detail: EventDetail): string[] {
  const e = detail.event as EventDetail['event'] & { status?: { name?: unknown }; phone?: unknown };
  const facts = [
    typeof e.status?.name === 'string' ? `status ${e.status.name}` : '',
    typeof e.phone === 'string' ? `phone ${e.phone}` : '',
    Object.keys(e.tags ?? {}).length
      ? `tags ${Object.entries(e.tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`
      : '',
  ].filter(Boolean);
  const lines = [
    shown(`event ${e.id}: ${e.type} from ${e.source}, received ${e.receivedAt}`),
    ...(e.occurredAt ? [`  occurred ${e.occurredAt}`] : []),
    ...(facts.length ? [shown(`  ${facts.join(', ')}`)] : []),
    ...(e.problems?.length
      ? [
          shown(
            `  does not decode: ${e.problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; ')}`,
          ),
        ]
      : []),
    '',
  ];
  if (detail.routes.length === 0) lines.push('routes: none configured');
  else {
    lines.push('routes:');
    const rows = detail.routes.map((r) => [r.name, r.matched ? 'matched' : 'no', r.reason]);
    lines.push(...table([['ROUTE', 'VERDICT', 'WHY'], ...rows]).map((l) => `  ${l}`));
  }
  if (detail.unrouted) lines.push('  (unrouted: no route matched this event)');
  lines.push('');
  if (detail.deliveries.length === 0) lines.push('deliveries: none');
  else {
    lines.push('deliveries:');
    for (const d of detail.deliveries) lines.push(...describe(d, '').map((l) => `  ${l}`));
  }
  lines.push('', '(--json prints the whole event with its payload)');
  return lines;
}

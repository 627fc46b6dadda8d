import type { GatewayEvent } from '../event.ts';

/**
 * What stored payloads look like, per event type: each field seen (dotted paths, `[]` for array items), its
 * JSON types, how often it is present, and a few example values with every letter and digit masked, so the
 * output shows formats (`+99999999999`, `9999-99-99X99:99:99.999X`) and never a phone number or message text;
 * only enumerations (`type`, `status`, `optInType`, `channel`) are shown as they are.
 */

/** The summary of one field. */
export interface FieldShape {
  /** Events in which the field is present (for array items: events with at least one). */
  present: number;
  /** JSON type → how many values had it (`string`, `number`, `boolean`, `null`, `object`, `array`). */
  types: Record<string, number>;
  /** Up to three distinct masked examples. */
  examples: string[];
}

/** The summary of one event type. */
export interface TypeShape {
  events: number;
  fields: Record<string, FieldShape>;
}

/** While accumulating: field paths come from payloads (`__proto__`, `constructor`), so they key Maps only. */
interface Accumulated {
  events: number;
  fields: Map<string, { present: number; types: Map<string, number>; examples: string[] }>;
}

const MAX_EXAMPLES = 3;

/**
 * Top-level fields whose values are shown as they are: enumerations that say nothing about a person, and whose
 * exact spelling is what an operator compares with the spec (`DELIVERY_STATUS` or `delivery-status`).
 */
const SHOWN = new Set(['type', 'status', 'optInType', 'channel']);
const MAX_DEPTH = 4;

/** Accumulates payloads; `result()` gives the summary by event type, types and fields sorted by name. */
export class ShapeSummary {
  private readonly byType = new Map<string, Accumulated>();

  /** Adds one stored event's payload. */
  add(event: Pick<GatewayEvent, 'type' | 'payload'>): void {
    let shape = this.byType.get(event.type);
    if (!shape) {
      shape = { events: 0, fields: new Map() };
      this.byType.set(event.type, shape);
    }
    shape.events++;
    const seen = new Set<string>();
    walk(event.payload, '', 0, (path, value) => {
      let field = shape.fields.get(path);
      if (!field) {
        field = { present: 0, types: new Map(), examples: [] };
        shape.fields.set(path, field);
      }
      if (!seen.has(path)) {
        seen.add(path);
        field.present++;
      }
      const type = jsonType(value);
      field.types.set(type, (field.types.get(type) ?? 0) + 1);
      const example = SHOWN.has(path) && typeof value !== 'object' ? JSON.stringify(value) : maskValue(value);
      if (
        example !== undefined &&
        field.examples.length < MAX_EXAMPLES &&
        !field.examples.includes(example)
      ) {
        field.examples.push(example);
      }
    });
  }

  /**
   * The summary so far. The records have no prototype, so a type or path named `__proto__` or `constructor` is
   * an ordinary own key (and JSON.stringify writes it like any other).
   */
  result(): Record<string, TypeShape> {
    const out = dict<TypeShape>();
    for (const type of [...this.byType.keys()].sort()) {
      const shape = this.byType.get(type)!;
      const fields = dict<FieldShape>();
      for (const path of [...shape.fields.keys()].sort()) {
        const f = shape.fields.get(path)!;
        fields[path] = { present: f.present, types: Object.fromEntries(f.types), examples: f.examples };
      }
      out[type] = { events: shape.events, fields };
    }
    return out;
  }
}

/** A record without a prototype: any string is a plain own key. */
function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

function walk(
  value: unknown,
  path: string,
  depth: number,
  visit: (path: string, value: unknown) => void,
): void {
  if (path !== '') visit(path, value);
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, `${path}[]`, depth + 1, visit);
    return;
  }
  for (const key of Object.keys(value)) {
    walk((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, depth + 1, visit);
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * A value with its content hidden: letters become `x`/`X`, digits `9`, other characters stay (so `+`, `-`,
 * `:`, `T`-less spaces and `@` show the format); cut to 32 characters. Numbers are masked the same way (a
 * phone number may come as a JSON number); booleans and null are shown; objects and arrays are not examples.
 */
export function maskValue(value: unknown): string | undefined {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return mask(String(value));
  if (typeof value === 'string')
    return JSON.stringify(mask(value.length > 32 ? `${value.slice(0, 32)}…` : value));
  return undefined;
}

function mask(text: string): string {
  return text.replace(/[\p{L}\p{N}]/gu, (c) => (/\p{N}/u.test(c) ? '9' : /\p{Lu}/u.test(c) ? 'X' : 'x'));
}

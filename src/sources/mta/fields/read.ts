import * as t from 'io-ts';
import type { MtaEvent } from '../event.ts';
import { statusOf } from '../status.ts';
import * as kinds from './kinds.ts';
import type { DecodeNote, NoteDraft } from './notes.ts';
import { normalizePhone } from './phone.ts';
import type { FieldKind, FieldSpec } from './table.ts';

/** The part of a normalized event that comes from the body's fields. */
export type EventFields = Pick<
  MtaEvent,
  | 'occurredAt'
  | 'phone'
  | 'phoneNational'
  | 'phoneRaw'
  | 'messageId'
  | 'externalId'
  | 'status'
  | 'text'
  | 'mediaUrls'
  | 'optInType'
  | 'senderName'
  | 'tags'
  | 'decodeNotes'
>;

/** What reading needs besides the body. */
export interface ReadContext {
  version: 1 | 2 | 3;
  /** Country calling code for numbers without `+`, e.g. '1'. */
  defaultCountry: string;
}

const VALIDATORS: Readonly<Record<Exclude<FieldKind, 'status'>, kinds.Validate<unknown>>> = {
  text: kinds.text,
  whole: kinds.whole,
  time: kinds.time,
  tags: kinds.tags,
  mediaUrls: kinds.mediaUrls,
  phone: kinds.phoneText,
};

/**
 * Reads a body's fields by an event's field table, gathering every error (io-ts `Errors`, rendered by
 * report.ts) or the event fields with every note. Fields not in the table are not looked at (they stay in
 * `payload`); only own keys are read, so `__proto__` and inherited names never stand in for a field.
 */
export function readFields(
  body: Record<string, unknown>,
  specs: readonly FieldSpec[],
  ctx: ReadContext,
): t.Validation<EventFields> {
  const root: t.Context = [{ key: '', type: t.UnknownRecord, actual: body }];
  const errors: t.Errors = [];
  const notes: DecodeNote[] = [];
  const fields: EventFields = { tags: {} };
  const out = fields as Record<string, unknown>;
  const note = (path: string, drafts: readonly NoteDraft[]) => {
    for (const d of drafts) notes.push({ path, ...d });
  };

  for (const spec of specs) {
    const found = lookup(body, spec);
    const context = t.appendContext(root, spec.key, t.unknown, found?.value);
    const required = spec.required?.includes(ctx.version) === true;
    if (found === undefined || found.value === undefined) {
      if (required) errors.push({ value: undefined, context });
      continue;
    }
    if (found.value === null) {
      if (required) {
        errors.push({
          value: null,
          context,
          message: 'must not be null (MTA documents it as always present)',
        });
      }
      // Not noted: MTA documents that an optional field may be absent or null (nothing is read from an alias).
      continue;
    }
    if (found.key !== spec.key) {
      note(spec.key, [{ kind: 'alias', message: `read from "${found.key}"` }]);
    }
    const validate = spec.kind === 'status' ? kinds.statusCode : VALIDATORS[spec.kind];
    const result = validate(found.value, context);
    if (result._tag === 'Left') {
      errors.push(...result.left);
      continue;
    }
    note(spec.key, result.right.notes);
    const value = result.right.value;
    if (spec.kind === 'phone') {
      const format = spec.format?.[ctx.version] ?? 'e164';
      const phone = normalizePhone(value as string, ctx.defaultCountry, format);
      note(spec.key, phone.notes);
      if (spec.to === 'phone') Object.assign(fields, phone.fields);
    } else if (spec.to === 'status') fields.status = statusOf(value as number);
    else if (spec.to !== undefined) out[spec.to] = value;
  }
  if (errors.length > 0) return t.failures(errors);
  if (notes.length > 0) fields.decodeNotes = notes;
  return t.success(fields);
}

/**
 * The field's value under its own name or, when that is absent or null, under the first alias with a value
 * (`"timestamp": null, "date": "…"` gives the date); null when all present names are null.
 */
function lookup(body: Record<string, unknown>, spec: FieldSpec): { key: string; value: unknown } | undefined {
  const value = Object.hasOwn(body, spec.key) ? body[spec.key] : undefined;
  if (value !== undefined && value !== null) return { key: spec.key, value };
  let nullAt = value === null ? spec.key : undefined;
  for (const key of spec.aliases ?? NO_ALIASES) {
    if (!Object.hasOwn(body, key) || body[key] === undefined) continue;
    if (body[key] !== null) return { key, value: body[key] };
    nullAt ??= key;
  }
  return nullAt === undefined ? undefined : { key: nullAt, value: null };
}

const NO_ALIASES: readonly string[] = [];

/**
 * Structured email addresses. `from`, `to`, `cc` and `replyTo` take `{ name, address }` or a plain string
 * such as `ops@example.com` or `Ops <ops@example.com>`, parsed once when the config loads. The address is
 * always the config's own literal; a template may fill only the `name`, which nodemailer encodes as a display
 * name and never parses as an address list. So no event value can add a recipient or change the envelope
 * sender: `Dr. Ada <ada@evil.example>, Acme` as a sender name stays a name (issue 14; the same class of bug as
 * mailparser #375 and modoboa #4179, where commas in display names split one address into several).
 */
import addressparser from 'nodemailer/lib/addressparser';
import { type PluginContext, type Template, t } from 'switchboard/plugin-sdk';

/** One configured address: a literal address and an optional display name (a template). */
export interface AddressSpec {
  name?: string;
  address: string;
}

/** A plain addr-spec: no display name, no quoting, no list separators, one `@`. */
const ADDR_SPEC = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;
const TEMPLATE_SYNTAX = /\{\{|\{%/;

/** Why `u` is not one address (string or object), or the address it is. */
function readAddress(u: unknown): AddressSpec | string {
  if (typeof u === 'string') {
    if (TEMPLATE_SYNTAX.test(u)) {
      return 'an address cannot come from the event; to show an event value, template the name only: { name: "{{ senderName }}", address: "gateway@example.com" }';
    }
    const parsed = addressparser(u);
    const only = parsed.length === 1 ? parsed[0] : undefined;
    const address = only !== undefined && 'address' in only ? only.address : undefined;
    if (address === undefined || !ADDR_SPEC.test(address)) {
      return `must be one address such as ops@example.com or "Ops <ops@example.com>" (for several, use a list)`;
    }
    return only?.name ? { name: only.name, address } : { address };
  }
  if (typeof u === 'object' && u !== null && !Array.isArray(u)) {
    const { name, address, ...rest } = u as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) return `unknown key ${unknown[0]} (an address has name and address)`;
    if (typeof address !== 'string' || !ADDR_SPEC.test(address)) {
      return TEMPLATE_SYNTAX.test(String(address))
        ? 'address cannot come from the event (template the name only)'
        : 'address must be a plain address such as ops@example.com';
    }
    if (name !== undefined && typeof name !== 'string') return 'name must be a string';
    return name === undefined ? { address } : { name, address };
  }
  return 'must be an address (ops@example.com) or { name, address }';
}

/** One address: a string or `{ name, address }`, decoded to `{ name?, address }`. */
export const Address = new t.Type<AddressSpec, AddressSpec, unknown>(
  'Address',
  (u): u is AddressSpec => typeof readAddress(u) === 'object',
  (u, c) => {
    const read = readAddress(u);
    return typeof read === 'string' ? t.failure(u, c, read) : t.success(read);
  },
  t.identity,
);

/** One address or a non-empty list of them, decoded to a list. */
export const Addresses = new t.Type<AddressSpec[], AddressSpec[], unknown>(
  'Addresses',
  (u): u is AddressSpec[] => Array.isArray(u) && u.length > 0 && u.every((a) => Address.is(a)),
  (u, c) => {
    if (Array.isArray(u) && u.length === 0) return t.failure(u, c, 'must list at least one address');
    const items = Array.isArray(u) ? u : [u];
    const out: AddressSpec[] = [];
    const errors: t.Errors = [];
    items.forEach((item, i) => {
      const read = readAddress(item);
      if (typeof read === 'string') {
        const context = Array.isArray(u) ? t.appendContext(c, String(i), Address, item) : c;
        errors.push({ value: item, context, message: read });
      } else out.push(read);
    });
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  },
  t.identity,
);

/** An address ready to send: the literal address and the name template (rendered per event). */
export interface CompiledAddress {
  address: string;
  name?: Template;
}

/** Compiles the name templates of addresses configured at `key` (e.g. `to`, or `from`). */
export function compileAddresses(
  key: string,
  specs: readonly AddressSpec[],
  ctx: PluginContext,
  single = false,
): CompiledAddress[] {
  return specs.map((spec, i) => ({
    address: spec.address,
    ...(spec.name !== undefined && {
      name: ctx.template(single ? [key, 'name'] : [key, i, 'name'], spec.name, 'header'),
    }),
  }));
}

/** The addresses for one event: `{ name, address }` objects nodemailer encodes, names never parsed. */
export function renderAddresses(
  list: readonly CompiledAddress[],
  event: Parameters<Template['render']>[0],
): Array<{ name: string; address: string }> {
  return list.map((a) => ({ name: a.name?.render(event) ?? '', address: a.address }));
}

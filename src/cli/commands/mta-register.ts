import type { MtaWebhook, RegisterRequest } from '../../sources/mta/api-client.ts';
import { generateSecret, readSecretFile, writeSecretFile } from '../../sources/mta/secret.ts';
import { type Io, loadCliConfig, UsageError } from '../io.ts';
import {
  apiClient,
  configuredSource,
  type MtaSubcommand,
  parseEvents,
  registrationsFor,
  table,
  webhookTarget,
} from './mta-common.ts';
import { secretAdvice } from './mta-secret-advice.ts';

/** What register did (or would do) for one event. */
interface Row {
  event: string;
  url: string;
  action: 'registered' | 'exists' | 'would register';
  id?: string;
}

/** Where the secret used for new registrations came from. */
type SecretOrigin = 'config' | 'file' | 'generated';

/**
 * `switchboard mta register`: registers the (event, URL) pairs MTA does not have yet, one per event at
 * `<url>/<event>`, so re-running it never makes MTA send an event twice.
 */
export const registerCommand: MtaSubcommand = {
  help: `switchboard mta register --url https://HOST/webhooks/<source> [options]
  Registers one webhook per event at <url>/<event>, only for the events MTA does not already send there.
  The secret is the source's (from the config), else the one in --secret-file, else a new one (128 hex
  characters from a CSPRNG) written to --secret-file (mode 0600) or shown with --show-secret.
    --url URL          the source's public URL, ending in /webhooks/<source> (required)
    --source S         the source in the config (default: the last part of --url)
    --events LIST      all (default) or some of delivery-status,message-reply,message-send,number-opt-in
    --alert-email A    MTA emails A when it cannot deliver a webhook (sets sendAlertEmail)
    --secret-file F    read the secret from F, or write a new one there (mode 0600)
    --show-secret      print the secret (also in --json)
    --dry-run          print the requests it would make (secret redacted); only reads from MTA
    --json             print the result as JSON
  example:
    MTA_API_KEY=... switchboard mta register --url https://gw.example.com/webhooks/mta --secret-file ./mta.secret`,

  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const target = webhookTarget(values);
    const events = parseEvents(values.events as string | undefined);
    const alertEmail = values['alert-email'] as string | undefined;
    if (alertEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(alertEmail))
      throw new UsageError(`--alert-email "${alertEmail}" is not an email address`);
    const secretFile = values['secret-file'] as string | undefined;
    const showSecret = values['show-secret'] === true;
    const dryRun = values['dry-run'] === true;
    const client = apiClient(values, io);
    const config = await loadCliConfig(values.config as string | undefined, io);
    const source = configuredSource(config, target.source);

    let secret: string | undefined = source.secret;
    let origin: SecretOrigin = 'config';
    const fromFile = secretFile === undefined ? undefined : await readSecretFile(secretFile);
    if (secret === undefined && fromFile !== undefined) {
      secret = fromFile;
      origin = 'file';
    } else if (secret !== undefined && fromFile !== undefined && fromFile !== secret) {
      io.err(
        `warning: ${secretFile} holds a different secret than sources.${source.name} in the config; registering with the config's (the one the gateway checks)`,
      );
    }
    if (secret === undefined) origin = 'generated';
    if (origin === 'generated' && !dryRun && secretFile === undefined && !showSecret) {
      throw new UsageError(
        `source "${source.name}" has no secret yet, so a new one will be generated: give --secret-file FILE to have it written there (mode 0600), or --show-secret to print it`,
      );
    }

    const existing = await client.list();
    const mine = registrationsFor(existing, target.base);
    const rows: Row[] = events.map((event) => {
      const url = `${target.base}/${event}`;
      const found = mine.find((w) => w.event === event && w.url === url);
      return found
        ? { event, url, action: 'exists', id: found.id }
        : { event, url, action: 'would register' };
    });
    const missing = rows.filter((r) => r.action === 'would register');
    const strays = mine.filter((w) => !rows.some((r) => r.id === w.id));
    if (origin === 'generated' && missing.length > 0 && mine.length > 0) {
      // They were registered with a secret we cannot read back; new ones with another would be refused.
      throw new Error(
        `${mine.length} webhook(s) are already registered at ${target.base} with a secret MTA cannot show, and source "${source.name}" has none in the config: set that secret in the config (or give it with --secret-file), or start over: switchboard mta unregister --url ${target.base}, then register again`,
      );
    }

    if (dryRun) {
      printDryRun(io, client, missing, secret, alertEmail, values.json === true);
      return 0;
    }
    if (origin === 'generated' && missing.length > 0) {
      secret = generateSecret();
      // Written before MTA has it: a crash between the two leaves a secret no registration uses, not the reverse.
      if (secretFile !== undefined) await writeSecretFile(secretFile, secret);
    }
    for (const row of missing) {
      try {
        const created: MtaWebhook = await client.register(request(row, secret as string, alertEmail));
        row.action = 'registered';
        row.id = created.id;
      } catch (err) {
        const done = rows.filter((r) => r.action === 'registered').map((r) => r.event);
        (err as Error).message +=
          `\nregistered before this: ${done.join(', ') || 'none'}; running the command again registers only what is missing.`;
        throw err;
      }
    }

    const generated = origin === 'generated' && missing.length > 0;
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            source: source.name,
            url: target.base,
            webhooks: rows,
            secret: {
              origin: missing.length === 0 && origin === 'generated' ? 'none' : origin,
              ...(secretFile !== undefined && origin !== 'config' ? { file: secretFile } : {}),
              ...(showSecret && secret !== undefined ? { value: secret } : {}),
            },
            ...(strays.length > 0 ? { otherRegistrations: strays } : {}),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    table(
      io,
      ['EVENT', 'ACTION', 'ID', 'URL'],
      rows.map((r) => [r.event, r.action === 'exists' ? 'already registered' : r.action, r.id ?? '', r.url]),
    );
    const done = rows.filter((r) => r.action === 'registered').length;
    io.out(`${done} registered, ${rows.length - done} already registered.`);
    for (const w of strays) {
      io.out(
        `note: MTA also sends ${w.event} to ${w.url} (id ${w.id}); if that duplicates one above, remove it: switchboard mta unregister ${w.id}`,
      );
    }
    if (generated || origin === 'file') {
      io.out('');
      if (showSecret) io.out(`secret: ${secret}`);
      for (const line of secretAdvice(source.name, config.file, secretFile, generated)) io.out(line);
    } else if (origin === 'generated' && mine.length > 0) {
      io.out(
        `warning: source "${source.name}" has no secret in the config, so webhooks MTA signs for these registrations cannot be checked: set the secret they were registered with, or start over: switchboard mta unregister --url ${target.base}, then register again`,
      );
    }
    return 0;
  },
};

function request(row: Row, secret: string, alertEmail: string | undefined): RegisterRequest {
  return {
    event: row.event,
    url: row.url,
    secret,
    retryOnError: true,
    ...(alertEmail !== undefined ? { alertEmail, sendAlertEmail: true } : {}),
  };
}

function printDryRun(
  io: Io,
  client: { baseUrl: string },
  missing: Row[],
  secret: string | undefined,
  alertEmail: string | undefined,
  json: boolean,
): void {
  const shown = secret === undefined ? '<new secret: 128 hex characters, redacted>' : '<redacted>';
  const requests = missing.map((r) => ({
    method: 'POST',
    url: `${client.baseUrl.replace(/\/+$/, '')}/webhooks`,
    body: { ...request(r, shown, alertEmail) },
  }));
  if (json) {
    io.out(JSON.stringify({ dryRun: true, requests }, null, 2));
    return;
  }
  if (requests.length === 0) {
    io.out('dry run: every event is already registered; nothing would be sent');
    return;
  }
  io.out(`dry run: these ${requests.length} request(s) would be sent (nothing was changed at MTA):`);
  for (const r of requests) io.out(`${r.method} ${r.url} ${JSON.stringify(r.body)}`);
}

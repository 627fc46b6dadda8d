import type { SourceConfig } from '../../config/types.ts';
import { generateSecret, readSecretFile, writeSecretFile } from '../../sources/mta/secret.ts';
import { CheckFailed, type Io, loadCliConfig, UsageError } from '../io.ts';
import {
  apiClient,
  configuredSource,
  confirm,
  type MtaSubcommand,
  registrationsFor,
  table,
  webhookTarget,
} from './mta-common.ts';
import { secretEnvName } from './mta-secret-advice.ts';

/**
 * `switchboard mta rotate`: a new secret without losing a webhook. MTA signs with exactly one secret per
 * registration, and webhooks already sent (and MTA's retries of them) keep the old signature, so the gateway
 * must accept both before MTA switches: (1) new secret into a file and the config as `secrets: [new, old]`,
 * (2) after the user confirms the gateway runs with both, PATCH every registration, (3) drop the old secret
 * once the metrics show it is no longer used. Each step is safe to run again.
 */
export const rotateCommand: MtaSubcommand = {
  help: `switchboard mta rotate --url https://HOST/webhooks/<source> --secret-file F [options]
  Rotates the source's webhook secret without losing a webhook:
    1. writes a new secret to F (mode 0600; an existing F is reused) and prints the config change that makes
       the gateway accept both secrets (secrets: [new, old]);
    2. once you confirm the gateway runs with both (reloaded), updates every registration at the URL to the
       new secret (PATCH), checking first that the config lists it;
    3. says how to tell when the old secret can be dropped.
    --url URL         the source's public URL, ending in /webhooks/<source> (required)
    --source S        the source in the config (default: the last part of --url)
    --secret-file F   where the new secret is written, or read from on a second run (required unless --show-secret)
    --show-secret     print the new secret
    --yes, -y         do not ask for confirmation (the config is still checked)
    --json            print the result as JSON
  example:
    MTA_API_KEY=... switchboard mta rotate --url https://gw.example.com/webhooks/mta --secret-file ./mta.secret.new`,

  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const target = webhookTarget(values);
    const secretFile = values['secret-file'] as string | undefined;
    const showSecret = values['show-secret'] === true;
    if (secretFile === undefined && !showSecret)
      throw new UsageError(
        'give --secret-file FILE for the new secret (written mode 0600), or --show-secret',
      );
    const client = apiClient(values, io);
    const configFlag = values.config as string | undefined;
    let config = await loadCliConfig(configFlag, io);
    let source = configuredSource(config, target.source);
    if (!source.secret) {
      throw new Error(
        `source "${source.name}" has no secret yet, so there is nothing to rotate: register with "switchboard mta register"`,
      );
    }

    let secret = secretFile === undefined ? undefined : await readSecretFile(secretFile);
    const env = secretEnvName(source.name);
    const next = `${env}_NEXT`;
    if (secret === undefined) {
      secret = generateSecret();
      if (secretFile !== undefined) await writeSecretFile(secretFile, secret);
      io.out(
        secretFile !== undefined
          ? `A new secret (128 hex characters) was written to ${secretFile} (mode 0600).`
          : 'A new secret (128 hex characters) was generated.',
      );
    } else if (accepted(source).length === 1 && accepted(source)[0] === secret) {
      io.out(
        `The only secret of source "${source.name}" is already the one in ${secretFile}: the rotation is finished. To rotate again, delete ${secretFile} first.`,
      );
      return 0;
    }
    if (showSecret) io.out(`new secret: ${secret}`);

    let asked = false;
    if (!accepted(source).includes(secret)) {
      const value = secretFile !== undefined ? `the contents of ${secretFile}` : 'shown above';
      io.out(
        [
          '',
          `Step 1 of 3: make the gateway accept both secrets. In ${config.file}, under sources.${source.name}, replace the secret line with`,
          `    secrets: ["<the new secret: ${value}>", "\${${env}}"]`,
          'and reload the gateway: kill -HUP <pid>. A reload does not re-read the environment, so the new value goes into',
          `the file itself (keep it readable only by the gateway); when restarting instead, "\${${next}}" works too.`,
          'MTA keeps signing with the old secret until step 2, so no webhook is refused meanwhile.',
        ].join('\n'),
      );
      if (!values.yes) {
        asked = true;
        const ok = await confirm('Type yes once the gateway runs with both secrets: ', io);
        if (!ok) return stopped(io, secretFile);
      }
      config = await loadCliConfig(configFlag, io);
      source = configuredSource(config, target.source);
      if (!accepted(source).includes(secret)) {
        throw new CheckFailed([
          `sources.${source.name} in ${config.file} does not list the new secret yet (it has ${accepted(source).length} secret(s)); nothing was changed at MTA.`,
          `Make the change above, reload the gateway, and run this command again with the same --secret-file.`,
        ]);
      }
    }
    if (accepted(source).length === 1) {
      io.err(
        `warning: the config accepts only the new secret: until the registrations are updated, webhooks MTA signs with the old one are refused (401; MTA retries them at most twice)`,
      );
    }

    const mine = registrationsFor(await client.list(), target.base);
    if (mine.length === 0) {
      throw new Error(
        `no webhooks are registered at ${target.base}: nothing to rotate at MTA (register with "switchboard mta register")`,
      );
    }
    if (!values.yes && !asked) {
      const ok = await confirm(
        `The config lists the new secret. Update ${mine.length} registration(s) at MTA to it? Type yes once the gateway runs with this config: `,
        io,
      );
      if (!ok) return stopped(io, secretFile);
    }
    let updated = 0;
    try {
      for (const w of mine) {
        await client.update(w.id, { secret });
        updated++;
      }
    } catch (err) {
      // The gateway accepts both secrets, so a half-done rotation loses nothing; running again finishes it.
      (err as Error).message +=
        `\n${updated} of ${mine.length} registration(s) were updated before this; the gateway accepts both secrets, so run the same command again to finish.`;
      throw err;
    }

    const metric = `switchboard_webhook_signatures_total{source="${source.name}",secret="1"}`;
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            source: source.name,
            updated: mine,
            ...(secretFile !== undefined ? { secretFile } : {}),
            ...(showSecret ? { secret } : {}),
            oldSecretMetric: metric,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    io.out('');
    io.out(`Step 2 of 3: ${mine.length} registration(s) now sign with the new secret:`);
    table(
      io,
      ['ID', 'EVENT', 'URL'],
      mine.map((w) => [w.id, w.event, w.url]),
    );
    io.out(
      [
        '',
        'Step 3 of 3: drop the old secret once nothing uses it. Webhooks MTA sent before the update, and its retries',
        `of them (at most 2, with backoff), still carry the old signature: watch ${metric}`,
        `on /metrics, and when it has stopped growing, replace the secrets line in ${config.file} with`,
        `    secret: "<the new secret>"`,
        `and reload (or, at a restart, secret: \${${env}} with ${env}=${secretFile !== undefined ? `"$(cat ${secretFile})"` : '<the new secret>'}).`,
      ].join('\n'),
    );
    return 0;
  },
};

function accepted(source: SourceConfig): readonly string[] {
  return source.secrets ?? (source.secret ? [source.secret] : []);
}

function stopped(io: Io, secretFile: string | undefined): number {
  io.err(
    `Stopped: nothing was changed at MTA, which still signs with the old secret. Run this command again${secretFile ? ` with --secret-file ${secretFile}` : ''} to continue.`,
  );
  return 1;
}

import { systemClock } from '../../clock.ts';
import { closeQuietly } from '../../config/build.ts';
import type { Config, SourceConfig } from '../../config/types.ts';
import { type Sent, sendOnce } from '../../delivery/send.ts';
import type { Destination } from '../../destinations/api.ts';
import type { GatewayEvent } from '../../event.ts';
import { newId } from '../../ids.ts';
import { Redactor } from '../../observability/redact.ts';
import { BUILTIN_SOURCES, samplesOf } from '../../sources/builtin.ts';
import { decodeForSource } from '../../sources/decode.ts';
import { withTimeout } from '../../time-limit.ts';
import { loadCliConfig, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

/** `switchboard test-destination NAME`: send a sample event to one destination now and print the outcome. */
export const testDestinationCommand: Command = {
  usage: 'test-destination [--source S] [--event TYPE] [--json] NAME',
  summary: 'send a sample event to one destination now (checks credentials) and print the outcome',
  options: { source: { type: 'string' }, event: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    source: 'the source whose sample to send (default: the first configured source)',
    event:
      "the sample event type, one of the source's samples (MTA: delivery-status, message-reply, message-send, number-opt-in; default delivery-status)",
    json: 'print the outcome as JSON',
  },
  examples: [
    'switchboard test-destination ops-slack',
    'switchboard test-destination --event message-reply support-mail',
  ],
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('give the destination NAME');
    const config = await loadCliConfig(values.config as string | undefined, io);
    const name = positionals[0];
    const dest = config.destinations.get(name);
    if (!dest)
      throw new UsageError(
        `unknown destination "${name}" (configured: ${[...config.destinations.keys()].join(', ')})`,
      );
    const event = sampleFor(config, values.source as string | undefined, values.event as string | undefined);
    const deliveryId = `test-${newId()}`;
    // The queue's own send: the attempt timeout holds even for a plugin that ignores its signal (this command
    // once awaited such a send bare, and Node, with nothing left to wait for, exited 13 without a word).
    const sent = await sendOnce(
      { timeoutMs: dest.delivery.timeoutMs, target: dest.destination.target },
      new AbortController().signal,
      systemClock,
      (signal) => dest.destination.send(event, { number: 1, deliveryId, signal }),
    ).finally(() => closeQuietlyWithin(dest.destination));
    // Nothing here aborts the shutdown signal, so the send always comes to a verdict.
    const { failure, started, finished } = sent as Sent;
    const ms = Math.round(finished - started);
    const outcome: { ok: boolean; ms: number; kind?: string; error?: string; statusCode?: number } =
      failure === undefined
        ? { ok: true, ms }
        : {
            ok: false,
            ms,
            kind: failure.kind,
            error: new Redactor(config.secrets).redact(failure.message),
            statusCode: failure.statusCode,
          };
    if (values.json)
      io.out(
        JSON.stringify({ destination: name, type: dest.type, event: event.type, deliveryId, ...outcome }),
      );
    else if (outcome.ok)
      io.out(`✔ ${name} (${dest.type}): sample ${event.type} event delivered in ${outcome.ms} ms`);
    else {
      const retry =
        outcome.kind === 'permanent'
          ? 'permanent: would not be retried'
          : outcome.kind === 'throttled'
            ? 'throttled: the destination would pause, no attempt spent'
            : 'transient: would be retried';
      io.out(
        `✘ ${name} (${dest.type}): ${outcome.error}${outcome.statusCode ? ` [status ${outcome.statusCode}]` : ''} (${retry})`,
      );
    }
    return outcome.ok ? 0 : 1;
  },
};

/**
 * A sample event from a source's own sample bodies: `--source` (default: the first configured source, else
 * MTA) and `--event` (default: the source's first sample, MTA's `delivery-status`).
 */
function sampleFor(config: Config, sourceName: string | undefined, type: string | undefined): GatewayEvent {
  const named = sourceName === undefined ? undefined : config.sources.get(sourceName);
  if (sourceName !== undefined && named === undefined)
    throw new UsageError(
      `unknown source "${sourceName}" (configured: ${[...config.sources.keys()].join(', ')})`,
    );
  const mta = BUILTIN_SOURCES.get('mta')!;
  const source: SourceConfig = named ??
    [...config.sources.values()][0] ?? {
      ...{ name: 'mta', kind: 'mta', plugin: mta, options: { version: 3, defaultCountry: '1' } },
      ...{ secrets: [], allowUnsigned: true, dedupeWindowMs: 0, onUndecodable: 'accept' as const },
    };
  const samples = samplesOf(source);
  const types = Object.keys(samples);
  const wanted = type ?? types[0];
  if (wanted === undefined || !Object.hasOwn(samples, wanted))
    throw new UsageError(`--event must be one of ${types.join(', ') || '(the source has no samples)'}`);
  const now = Date.now();
  const decoded = decodeForSource(source, structuredClone(samples[wanted]), {
    id: newId(now),
    receivedAt: new Date(now).toISOString(),
  });
  // The samples are the plugin's own: one that fails to decode is a bug in it, said plainly.
  if (decoded._tag === 'Left')
    throw new UsageError(`the ${source.kind} sample ${wanted} does not decode: ${decoded.left.error}`);
  return { ...decoded.right, source: 'switchboard-test' };
}

/** How long a destination's close() may take here before the outcome is printed anyway (ms). */
const CLOSE_WAIT_MS = 2000;

/** Closes a destination after the test send; a close that fails or hangs does not hide the send's outcome. */
function closeQuietlyWithin(destination: Destination): Promise<void> {
  return withTimeout(closeQuietly(destination), CLOSE_WAIT_MS, () => new Error('close timed out')).catch(
    () => {},
  );
}

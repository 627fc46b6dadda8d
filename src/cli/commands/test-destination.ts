import { deadline } from '../../destinations/deadline.ts';
import { classifyFailure } from '../../destinations/errors.ts';
import { EVENT_TYPES, type EventType } from '../../event.ts';
import { newId } from '../../ids.ts';
import { Redactor } from '../../observability/redact.ts';
import { sampleEvent } from '../../sources/mta/index.ts';
import { loadCliConfig, UsageError } from '../io.ts';
import type { Command } from '../main.ts';

/** `switchboard test-destination NAME`: send a sample event to one destination now and print the outcome. */
export const testDestinationCommand: Command = {
  usage: 'test-destination [--event TYPE] [--json] NAME',
  summary: 'send a sample event to one destination now (checks credentials) and print the outcome',
  options: { event: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    event:
      'the sample event type: delivery-status, message-reply, message-send, number-opt-in (default delivery-status)',
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
    const type = (values.event as string | undefined) ?? 'delivery-status';
    if (!(EVENT_TYPES as readonly string[]).includes(type))
      throw new UsageError(`--event must be one of ${EVENT_TYPES.join(', ')}`);
    const event = { ...sampleEvent(type as EventType, 3), source: 'switchboard-test' };
    const deliveryId = `test-${newId()}`;
    const started = performance.now();
    const limit = deadline(undefined, dest.delivery.timeoutMs);
    let outcome: { ok: boolean; ms: number; kind?: string; error?: string; statusCode?: number };
    try {
      await dest.destination.send(event, { number: 1, deliveryId, signal: limit.signal });
      outcome = { ok: true, ms: Math.round(performance.now() - started) };
    } catch (err) {
      const f = classifyFailure(err);
      outcome = {
        ok: false,
        ms: Math.round(performance.now() - started),
        kind: f.kind,
        error: new Redactor(config.secrets).redact(f.message),
        statusCode: f.statusCode,
      };
    } finally {
      limit.dispose();
      await dest.destination.close?.();
    }
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

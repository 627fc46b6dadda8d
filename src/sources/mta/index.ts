import { EVENT_TYPES } from '../../event.ts';
import { decodeMta } from './decode.ts';

export type { DecodeError, DecodeOptions, Problem } from './decode.ts';
export { decodeMta } from './decode.ts';
export { parseEventType } from './event-type.ts';
export { SAMPLE_BODIES, type SampleOptions, sampleEvent } from './samples.ts';

/** The built-in source for Mobile Text Alerts (`kind: mta` in config). */
export const mtaSource = {
  kind: 'mta',
  eventTypes: EVENT_TYPES,
  decode: decodeMta,
} as const;

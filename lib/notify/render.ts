import type { AlertEvent } from '../events/schema';
import { fitInOne } from './fit';
import type { MentionPolicy } from './mentions';

/** What a receiver's messages say and whom they ring. */
export interface RenderOptions {
  /** In every title; the configuration's own text, shown verbatim. */
  readonly monitorName: string;
  /** Words the robot requires; shown verbatim (never made inert), the first in the title. */
  readonly keywords: readonly string[];
  readonly mentions: MentionPolicy;
  /** Largest body the channel accepts, as `measure` counts it. */
  readonly maxBodyBytes: number;
  /** The advice under failures (ALERT_HINT); the default points at the origin. The commands follow it either way. */
  readonly failureHint?: string;
  readonly stuckAfterMinutes: number;
  /** A line under the title of every message (the monitor cannot save its state: repeats are possible). */
  readonly caveat?: string;
}

/** A message ready to send, and the alert keys it delivers. */
export interface RenderedMessage {
  readonly title: string;
  readonly text: string;
  readonly atMobiles: string[];
  readonly atUserIds: string[];
  readonly isAtAll: boolean;
  readonly keys: string[];
  /** URLs counted in the message but not listed for lack of room. */
  readonly unlisted: number;
}

/**
 * Renders events as few messages as possible: one, listing as many URLs as fit in `maxBodyBytes` and counting the
 * rest exactly; several only when even the counts do not fit. `repeats` are keys whose earlier send timed out: a
 * message carrying one says it may be a repeat. Composing, fitting (./fit) and whom it rings (./mentions) each have
 * their module; this is the entry.
 */
export function renderMessages(
  events: readonly AlertEvent[],
  opts: RenderOptions,
  measure: (m: RenderedMessage) => number,
  repeats: ReadonlySet<string> = new Set(),
): RenderedMessage[] {
  if (events.length === 0) return [];
  // A digest is a message of its own: it is read at a set time, not mixed into a stream.
  const digests = events.filter((e) => e.kind === 'digest');
  if (digests.length && digests.length < events.length)
    return [
      ...renderMessages(
        events.filter((e) => e.kind !== 'digest'),
        opts,
        measure,
        repeats,
      ),
      ...digests.flatMap((d) => renderMessages([d], opts, measure, repeats)),
    ];
  const one = fitInOne(
    events,
    opts,
    measure,
    events.some((e) => repeats.has(e.key)),
  );
  if (one) return [one];
  // One alert too long even alone (a huge notice): its short form, never an error that would block the outbox.
  if (events.length === 1) return [renderMinimal(events[0]!, opts, null)];
  const half = Math.ceil(events.length / 2);
  return [...renderMessages(events.slice(0, half), opts, measure, repeats), ...renderMessages(events.slice(half), opts, measure, repeats)];
}

/**
 * The smallest safe form of one alert the robot refused for its content: our own words and the task id only,
 * so on-call still learns that something happened and where to look.
 */
export function renderMinimal(event: AlertEvent, opts: RenderOptions, code: string | null): RenderedMessage {
  const what = 'task' in event ? `a ${event.kind} URL under TaskId ${event.task.taskId.replace(/[^0-9A-Za-z_-]/g, '')}` : `a ${event.kind} alert`;
  const kw = opts.keywords.join(' ');
  const title = `${opts.keywords[0] ? `${opts.keywords[0]} ` : ''}${opts.monitorName}: 1 alert in short form`;
  const why =
    code === null
      ? `The full text of ${what} is longer than one message may be. Its details are in the function's log (SLS)`
      : `The robot refused the full text of ${what} (errcode ${code.replace(/[^0-9A-Za-z_.-]/g, '')})`;
  const text = `### ${title}\n\n${why}. Look it up with \`npx vod-refresh-monitor tasks --since 3d\`.${kw ? `\n\n${kw}` : ''}`;
  return { title, text, atMobiles: [], atUserIds: [], isAtAll: false, keys: [event.key], unlisted: 0 };
}

import type { AlertEvent } from '../events/schema';
import { compose, type Draft, textOf } from './compose';
import { addCosts } from './listing';
import type { RenderedMessage, RenderOptions } from './render';

/** Bytes a measure may add beyond the text's own: the webhook's `unlisted` count, which has more digits when fewer are listed. */
const SLACK = 8;

function messageOf(d: Draft, keys: string[], listed: number): RenderedMessage {
  const n = Math.min(listed, d.rows);
  const { atMobiles, atUserIds, isAtAll } = d.mentions;
  return { title: d.title, text: textOf(d, n), atMobiles: [...atMobiles], atUserIds: [...atUserIds], isAtAll, keys, unlisted: d.rows - n };
}

/**
 * The events as one message listing as many URL rows as fit in `maxBodyBytes`, the rest counted; null when even the
 * counts do not fit. Linear in the events: the message is composed once; its size for any number of rows listed is
 * the size measured with none listed plus what each row adds (its JSON bytes, which bound every channel's measure);
 * the text is written for the largest number that fits, and measured once more to be sure. Two measures in all,
 * unless a measure grows faster than JSON bytes (none of ours does): then a search with it, still n log n.
 */
export function fitInOne(events: readonly AlertEvent[], opts: RenderOptions, measure: (m: RenderedMessage) => number, repeat: boolean): RenderedMessage | null {
  const d = compose(events, opts, repeat);
  const keys = events.map((e) => e.key);
  const bare = messageOf(d, keys, 0);
  const bareSize = measure(bare);
  if (bareSize > opts.maxBodyBytes) return null;
  if (d.rows === 0) return bare;
  const costs: number[] = [];
  for (const part of d.parts) if (typeof part !== 'string') addCosts(part, costs);
  let size = bareSize;
  let best = 0;
  for (let k = 0; k < costs.length; k++) {
    size += costs[k]!;
    if (size <= opts.maxBodyBytes - SLACK) best = k + 1;
  }
  if (best === 0) return bare;
  const fitted = messageOf(d, keys, best);
  if (measure(fitted) <= opts.maxBodyBytes) return fitted;
  let lo = 0;
  let hi = best - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(messageOf(d, keys, mid)) <= opts.maxBodyBytes) lo = mid;
    else hi = mid - 1;
  }
  return messageOf(d, keys, lo);
}

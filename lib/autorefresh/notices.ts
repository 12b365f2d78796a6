import { noticeKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { rowKey } from '../identity';
import { inert, urlText } from '../notify/escape';
import type { MonitorState, RetryEntry } from '../state/schema';
import { quotaDay } from './plan';

/** Failed URLs the monitor meant to re-submit and will not: listed, with why, so a human takes over. It rings. */
export function handOverNotice(items: ReadonlyArray<{ path: string; entry: RetryEntry; why: string }>, nowMs: number): AlertEvent {
  const shown = items
    .slice(0, 10)
    .map((i) => `${urlText(i.path)} (TaskId ${inert(i.entry.task.taskId, 64)}, ${inert(i.entry.task.description ?? 'no Description', 60)}: ${i.why})`);
  const more = items.length > shown.length ? `, and ${items.length - shown.length} more` : '';
  const first = items[0]!;
  return {
    kind: 'notice',
    key: noticeKey(`auto-refresh-handover:${rowKey(first.entry.task.taskId, first.path)}`, { at: nowMs }),
    code: 'AutoRefreshRefused',
    message: `${items.length} failed URL(s) will not be re-submitted automatically. They need a human: ${shown.join('; ')}${more}.`,
  };
}

/** The "automatic retries are held" notice, once a day. */
export function pausedNotice(state: MonitorState, nowMs: number, why: string): AlertEvent | null {
  if (state.autoRefresh.pausedNoticeDay === quotaDay(nowMs)) return null;
  return {
    kind: 'notice',
    key: noticeKey('auto-refresh-held', { day: quotaDay(nowMs) }),
    code: 'AutoRefreshHeld',
    message: `Automatic re-submission is held: ${why}.`,
  };
}

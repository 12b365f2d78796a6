import { noticeKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { ioAdvice, type StateIo } from '../state/errors';
import type { MonitorState } from '../state/schema';
import { localTime } from '../time';

type Outage = NonNullable<MonitorState['stateIo']>;

/** The line every message of a run that cannot save its state where it belongs carries. */
export const REPEATS_POSSIBLE = 'The monitor cannot save its state: repeats are possible.';

/** The lock file a lock problem met, a takeover's claim marker (`<lock>.takeover-<id>.1`) named by its lock. */
const lockOf = (file: string) => file.replace(/\.lock\.takeover-[^/]*$/, '.lock');

/** The verb for a problem with the state's own file (a lock problem has messages of its own). */
const what = (io: StateIo) => (io.op === 'read' ? 'read' : 'save');

/**
 * What the state's own health tells on-call, from the problems this run met with its files: a problem opens an
 * outage (told once, and again a day later while it lasts: the notice's key holds the outage's start and lives a day);
 * any problem continues it; a run with no problem that saved where the state belongs closes it, and says so.
 * Pure.
 */
export function stateIoNotices(
  outage: Outage | null,
  problems: readonly StateIo[],
  savedWhereItBelongs: boolean,
  nowMs: number,
): { outage: Outage | null; events: AlertEvent[] } {
  // The state's own files first: a lock problem beside a save problem is the lesser one.
  const first = problems.find((p) => p.op !== 'lock') ?? problems[0];
  if (first) {
    // One outage while any problem lasts, whatever file or operation meets it (a failing mount fails them all).
    const next: Outage = outage ?? { sinceMs: nowMs, op: first.op, file: first.file, errno: first.errno };
    const message =
      first.op === 'lock'
        ? `The monitor cannot take the lock beside its state (${lockOf(first.file)}, ${first.errno}), since ${localTime(next.sinceMs)}. Check: ${ioAdvice(first)}. It goes on with a lock of this instance's own: the state is still saved where it belongs, but a run started elsewhere meanwhile (the CLI) is not kept out.`
        : `The monitor cannot ${what(first)} its state at ${first.file} (${first.errno}), since ${localTime(next.sinceMs)}. Check: ${ioAdvice(first)}. It goes on watching from a copy in this instance's /tmp: new failures are still reported, and some may be reported twice until this is fixed.`;
    return {
      outage: next,
      events: [{ kind: 'notice', key: noticeKey(`state-io:${next.sinceMs}:${next.op}:${next.errno}`, { once: true }), code: 'StateIo', message }],
    };
  }
  if (outage === null || !savedWhereItBelongs) return { outage, events: [] };
  return {
    outage: null,
    events: [
      {
        kind: 'notice',
        key: noticeKey('state-io-back', { at: nowMs }),
        code: 'StateIoBack',
        message:
          outage.op === 'lock'
            ? `The monitor takes the lock beside its state (${lockOf(outage.file)}) again (it could not since ${localTime(outage.sinceMs)}, ${outage.errno}).`
            : `The monitor saves its state at ${outage.file} again (it could not ${what(outage)} it since ${localTime(outage.sinceMs)}, ${outage.errno}).`,
      },
    ],
  };
}

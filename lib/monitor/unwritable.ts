import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { noticeKey } from '../events/keys';
import { renderMessages } from '../notify/render';
import type { StateError } from '../state/errors';
import { renderOptionsOf } from './deliver-all';
import { type MonitorDeps, type RunOptions, type RunReport, reportWithoutRead } from './types';

/** Causes announced by this instance: the state cannot remember them, so the warm instance does. */
const announced = new Set<string>();

async function firstTime(cause: string): Promise<boolean> {
  if (announced.has(cause)) return false;
  announced.add(cause);
  const marker = path.join(tmpdir(), `vod-refresh-monitor-announced-${createHash('sha1').update(cause).digest('hex').slice(0, 16)}`);
  try {
    await fs.writeFile(marker, cause, { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A run whose state location cannot be read or written: it reads nothing (alerts it found could be neither kept
 * nor deduplicated), says so in the log, and tells on-call once per instance (the instance remembers, since the
 * state cannot), with the fix.
 */
export async function reportStateUnwritable(deps: MonitorDeps, options: RunOptions, err: StateError, startedMs: number): Promise<RunReport> {
  const message = `The monitor cannot use its state at ${deps.store.location}: ${err.message}. It is not watching refresh tasks until this is fixed: check the OSS mount (ossMountConfig in s.yaml), the bucket, and the role's oss:PutObject permission (deploy/ram-policy.json), or STATE_FILE.`;
  deps.logger.error(
    { event: 'state-unwritable', err: { message: err.message, code: err.code, cause: (err.cause as { code?: string } | undefined)?.code } },
    'the state cannot be read or written: this run reads nothing and keeps no alert; failures stay in the API (3 days) and are reported once the state works',
  );
  let sent = 0;
  if (!options.dryRun && (await firstTime(err.message))) {
    const receiver = deps.alerting.receivers.get(deps.alerting.defaultReceiver)!;
    const notifier = deps.notifierOf(receiver);
    const [m] = renderMessages(
      [{ kind: 'notice', key: noticeKey('state-unwritable', { at: startedMs }), code: 'StateUnwritable', message }],
      renderOptionsOf(receiver.alert, deps.config, notifier.maxBodyBytes),
      (x) => notifier.measure(x),
    );
    const r = await notifier.send(m!, Math.max(1000, Math.min(receiver.alert.timeoutMs, deps.budget.deliverUntilMs - deps.now())));
    if (r.ok) sent = 1;
    else deps.logger.error({ event: 'alert-failed', code: r.code }, `the state alert was not delivered: ${r.reason}`);
  }
  return reportWithoutRead({ status: 'failed', reason: message, dryRun: options.dryRun, health: 'down', durationMs: deps.now() - startedMs, sent });
}

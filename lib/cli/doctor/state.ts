import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';
import { type StateSummary, summarizeState } from '../../monitor/status';
import { StateError } from '../../state/errors';
import { FileStateStore } from '../../state/file-store';
import { vodAdvice } from '../../vod/advice';
import type { Checklist } from '../checks';
import { whenAgo } from '../format';
import type { Session } from '../session';
import type { Finding } from '../status/judge';
import { muteFindings, refusalText } from '../status/policy';

/** The nearest folder of `file` that exists; throws when something other than a folder is in the way. */
async function existingFolder(file: string): Promise<string> {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const st = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? null : Promise.reject(err)));
    if (st?.isDirectory()) return dir;
    if (st) throw Object.assign(new Error(`${dir} is a file, not a folder`), { code: 'ENOTDIR' });
    if (path.dirname(dir) === dir) return dir;
  }
}

/** Whether the state can be written: a probe file created and removed when the folder exists; else whether the first run could create it. */
async function checkWritable(list: Checklist, store: FileStateStore, file: string): Promise<void> {
  let folder = path.dirname(path.resolve(file));
  try {
    folder = await existingFolder(file);
    if (folder === path.dirname(path.resolve(file))) {
      await store.probeWritable();
      return list.add('ok', `${folder} can be written (a probe file was created and removed)`);
    }
    await fs.access(folder, fs.constants.W_OK);
    list.add('ok', `${path.dirname(file)} does not exist yet; ${folder} can be written, so the first run creates it`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      err instanceof StateError
        ? err.message
        : e.code === 'ENOTDIR'
          ? `cannot create the state folder: ${e.message}`
          : `cannot write in ${folder} (${e.code ?? 'error'})`;
    list.add('fail', why, 'set STATE_FILE to a path this user can write, or fix the folder permissions');
  }
}

/**
 * A refusal of the alerting file recorded by the last local run, as doctor tells it: a note, never a fail. Doctor
 * checks the file ALERTING_CONFIG names itself (above), which says how it stands now; and with no ALERTING_CONFIG no
 * file is used any more, so the next run clears the record.
 */
function refusalNote(st: StateSummary, config: Config, nowMs: number): Finding[] {
  if (!st.alertingProblem) return [];
  const now = config.alertingConfig
    ? 'the check of the alerting file above says how it stands now'
    : "ALERTING_CONFIG is no longer set, so no file is used now: the next run sends every alert to the environment's robot and clears this";
  return [{ outcome: 'note', text: `${refusalText(st.alertingProblem, nowMs)} (${now})` }];
}

/**
 * THIS MACHINE's state file (the one a local `run` uses; the deployed one is read by `status`), summarised read-only:
 * nothing is moved or written but a probe file.
 */
export async function checkState(s: Session, list: Checklist, config: Config): Promise<void> {
  list.section(`state on THIS MACHINE (STATE_FILE ${config.stateFile})`);
  list.add('note', "this is the state a local `run` uses, not the deployed function's: for the deployed monitor, run `npx vod-refresh-monitor status`");
  const store = new FileStateStore(config.stateFile);
  const now = s.now();
  const st = await summarizeState(store, now);
  if (st.problem) {
    const fix = st.problem.startsWith('StateIo')
      ? 'set STATE_FILE to a file this user can read and write'
      : 'the next real `run` moves it aside and starts afresh (listing only recent failures); or delete it';
    list.add('fail', `the state file cannot be used: ${st.problem}`, fix);
  } else if (!st.found) list.add('ok', 'no state yet: the next local run is a first run');
  else {
    const last = st.runs.at(-1);
    list.add(
      'ok',
      `last run ${last ? `${whenAgo(last.atMs, now)}, ${last.status}` : 'none recorded'}; last good run ${st.lastOkMs === null ? 'never' : whenAgo(st.lastOkMs, now)}; ${st.watching} unfinished row(s) watched; ${st.pendingAlerts} alert(s) waiting`,
    );
    for (const f of [...refusalNote(st, config, now), ...muteFindings(st)]) list.add(f.outcome, f.text, f.fix);
    if (st.health?.status === 'down')
      list.add(
        'fail',
        `the local runs could not read tasks since ${whenAgo(st.health.sinceMs, now)}: ${st.health.code ?? 'unknown'}`,
        vodAdvice(st.health.code ?? ''),
      );
  }
  await checkWritable(list, store, config.stateFile);
}

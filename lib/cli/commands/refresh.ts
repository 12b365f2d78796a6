import { CliError, EXIT, type ExitCode } from '../printer';
import type { CommonOptions, Session } from '../session';
import { checkUrl } from '../wait/input';
import { runWait, type WaitFlags, waitLimits, waitReader } from '../wait/run';
import { type SubmitRequest, submitAll } from '../wait/submit';

/** Options of `refresh` and `preload`. */
export interface SubmitOptions extends CommonOptions, WaitFlags {
  readonly url?: string[];
  readonly args?: string[];
  /** Then wait for what was submitted. */
  readonly wait?: boolean;
}

/** Options of `refresh`. */
export interface RefreshOptions extends SubmitOptions {
  readonly type: 'file' | 'directory';
  /** Directories: purge every file, not only those that changed. */
  readonly force?: boolean;
}

/** Options of `preload`. */
export interface PreloadOptions extends SubmitOptions {
  readonly area?: 'domestic' | 'overseas';
}

/** The URLs to submit: arguments and --url, each checked, duplicates dropped, at least one. */
function urlsOf(o: SubmitOptions): string[] {
  const urls = [...new Set([...(o.args ?? []), ...(o.url ?? [])].map((u) => checkUrl('URL', u)))];
  if (urls.length === 0) throw new CliError(EXIT.usage, 'no URL given: pass the URLs to submit as arguments (or with --url)');
  return urls;
}

/** Submits, then (with --wait) waits for exactly what was submitted; without --wait, prints the task ids. */
async function submitAndMaybeWait(s: Session, o: SubmitOptions, req: SubmitRequest, objectType: string): Promise<ExitCode> {
  const { timeoutMs, intervalMs } = waitLimits(o);
  const vod = s.vodConfig();
  const api = s.vodApi({ vod });
  const startedMs = s.now();
  const deadlineMs = startedMs + timeoutMs;
  const { reader, pacer } = waitReader(s, vod, api, deadlineMs);
  const done = await submitAll(api, pacer, s.runtime(), deadlineMs, req);
  const submitted = { action: req.action, objectType, urls: req.urls.length, calls: done.calls, taskIds: done.taskIds };
  const said = `submitted ${req.urls.length} URL(s) in ${done.calls} call(s): task id(s) ${done.taskIds.join(',') || '(none answered)'}`;
  if (!o.wait) {
    if (o.json) s.print.json(submitted);
    else s.print.out(said);
    return EXIT.ok;
  }
  s.print.err(said);
  return runWait(s, { vod, api, reader, startedMs: s.now(), deadlineMs }, { taskIds: done.taskIds, urls: req.urls }, { ...o, intervalMs }, { submitted });
}

/** Refreshes files or directories on the CDN (RefreshVodObjectCaches); with --wait, waits for every URL to end. */
export async function refreshCommand(s: Session, o: RefreshOptions): Promise<ExitCode> {
  const urls = urlsOf(o);
  if (o.type === 'directory') {
    const bad = urls.find((u) => !u.endsWith('/'));
    if (bad) throw new CliError(EXIT.usage, `--type directory takes directories, which end with /: ${JSON.stringify(bad.slice(0, 80))} does not`);
  }
  const params: Record<string, string> = { ObjectType: o.type === 'directory' ? 'Directory' : 'File', ...(o.force ? { Force: 'true' } : {}) };
  return submitAndMaybeWait(s, o, { action: 'RefreshVodObjectCaches', params, urls, perCall: o.type === 'directory' ? 100 : 1000 }, o.type);
}

/** Preloads files into the CDN (PreloadVodObjectCaches); with --wait, waits for every URL to end. */
export async function preloadCommand(s: Session, o: PreloadOptions): Promise<ExitCode> {
  const urls = urlsOf(o);
  const params: Record<string, string> = o.area ? { Area: o.area } : {};
  return submitAndMaybeWait(s, o, { action: 'PreloadVodObjectCaches', params, urls, perCall: 1000 }, 'preload');
}

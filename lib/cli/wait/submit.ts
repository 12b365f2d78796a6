import type { Runtime } from '../../ports';
import { DEFAULT_RETRY, retry } from '../../retry';
import { vodAdvice } from '../../vod/advice';
import type { RefreshWriteApi } from '../../vod/client';
import { callMayHaveArrived, VodError } from '../../vod/errors';
import type { Pacer } from '../../vod/pacer';
import { CliError, EXIT } from '../printer';

/** What to submit: one action, its fixed parameters, and the URLs (split into calls of at most `perCall`). */
export interface SubmitRequest {
  readonly action: 'RefreshVodObjectCaches' | 'PreloadVodObjectCaches';
  /** ObjectType for a refresh, Area for a preload; ObjectPath is added per call. */
  readonly params: Readonly<Record<string, string>>;
  readonly urls: readonly string[];
  /** URLs per call: 1,000 files or preloads, 100 directories (the CDN sibling's limits; VOD's are not published). */
  readonly perCall: number;
}

/** What was submitted: the task ids the API answered, in order, and the calls made. */
export interface Submitted {
  readonly taskIds: string[];
  readonly calls: number;
}

/** What to do about a refusal of a refresh or preload call (the codes only these calls answer, then the common ones). */
function advice(action: SubmitRequest['action'], code: string): string {
  if (code.startsWith('InvalidDomain')) return "a URL's domain is not an online VOD CDN domain of this account: check the domain in the VOD console";
  if (code === 'InvalidObjectPath.Malformed') return 'a URL is malformed: give full http(s) URLs; directories end with /';
  if (code === 'ServiceBusy') return 'the domain is being configured: try again in a few minutes';
  if (code === 'PreloadQueueFull') return 'the preload queue is full: try again later';
  if (code.startsWith('QuotaPerMinuteExceeded')) return 'too many refreshes this minute: wait a minute and submit again';
  if (code.startsWith('Forbidden')) return `the RAM user may not call vod:${action}: grant it (docs/cli.md, "Permissions")`;
  return vodAdvice(code);
}

const range = (from: number, count: number) => (count === 1 ? `URL ${from + 1}` : `URLs ${from + 1}-${from + count}`);

/**
 * Submits the URLs, one call per `perCall` URLs, through the pacer. A call is retried only on Throttling (then it
 * was not made); any other failure stops here with exit 3, saying which calls were made, and whether the failed one
 * may have been made all the same (no answer), so that nothing is submitted twice by a blind retry.
 */
export async function submitAll(api: RefreshWriteApi, pacer: Pacer, runtime: Runtime, deadlineMs: number, req: SubmitRequest): Promise<Submitted> {
  const taskIds: string[] = [];
  let calls = 0;
  for (let from = 0; from < req.urls.length; from += req.perCall) {
    const chunk = req.urls.slice(from, from + req.perCall);
    calls++;
    try {
      const body = await retry(
        () => pacer.run((timeoutMs) => api.call(req.action, { ...req.params, ObjectPath: chunk.join('\n') }, timeoutMs)),
        DEFAULT_RETRY,
        { ...runtime, deadlineMs, isRetryable: (e) => e instanceof VodError && e.code.startsWith('Throttling') },
      );
      const answered = String(body.RefreshTaskId ?? body.PreloadTaskId ?? '');
      for (const id of answered.split(',').map((t) => t.trim())) if (id && !taskIds.includes(id)) taskIds.push(id);
      runtime.logger.info({ event: 'submitted', action: req.action, urls: chunk.length, taskIds: answered }, 'submitted');
    } catch (err) {
      if (!(err instanceof VodError)) throw err;
      const made = from > 0 ? `\nalready submitted: ${range(0, from)} (task id(s) ${taskIds.join(',') || 'not answered'})` : '';
      const maybe = callMayHaveArrived(err.code)
        ? `\nthe call got no answer, so it may have been made all the same: check with \`npx vod-refresh-monitor tasks --since 10m\` before submitting again`
        : '';
      throw new CliError(
        EXIT.remote,
        `${req.action} was refused for ${range(from, chunk.length)}: ${err.code}: ${err.message}${err.requestId ? ` (RequestId ${err.requestId})` : ''}${made}${maybe}\nfix: ${advice(req.action, err.code)}`,
        { cause: err },
      );
    }
  }
  return { taskIds, calls };
}

import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readBody, sendJson, type LoopbackServer } from '../http';
import { seededRandom } from '../random';
import { signRpc } from './signature';
import { apiTime, TaskStore, type SimTask } from './store';

/** An account the simulator knows. STS keys (`STS.` prefix) also need their token. */
export interface SimAccount {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** `ok`, VOD `notOpened` (OperationDenied) or `suspended` (OperationDenied.Suspended). */
  state?: 'ok' | 'notOpened' | 'suspended';
}

/** One scripted fault, consumed by the next request. */
export type Fault =
  | { kind: 'throttle' }
  | { kind: 'html'; status?: number }
  | { kind: 'reset' }
  | { kind: 'slow'; ms: number }
  | { kind: 'error'; code: string; status: number; message?: string }
  | { kind: 'noCode'; status: number }
  | { kind: 'body'; body: unknown };

/** Faults the simulator injects; tests change them between and during runs. */
export interface FaultSettings {
  /** Added to every answer, in ms. */
  latencyMs: number;
  /** Requests per rolling second per AccessKeyId before `Throttling`; null for none. */
  qpsLimit: number | null;
  /** Share of requests answered with `Throttling` at random. */
  throttleRate: number;
  /** Share of requests answered with an HTML 502 page at random. */
  htmlRate: number;
  /** Share of connections reset at random. */
  resetRate: number;
  /** Scripted faults, first in first out. */
  queue: Fault[];
  /** Omit `Tasks` entirely on empty pages (the API sometimes does). */
  omitEmptyTasks: boolean;
}

/** What the simulator saw, for tests and benchmarks. */
export interface SimStats {
  requests: number;
  /** Requests answered with a page. */
  served: number;
  /** Answers by error code (`OK` for success). */
  byCode: Record<string, number>;
  /** Every request's decoded parameters (Signature and SecurityToken dropped). */
  log: Array<Record<string, string>>;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
  /** Arrival times (ms), for checking the pace of a client. */
  arrivals: number[];
}

export interface VodSimOptions {
  accounts?: SimAccount[];
  store?: TaskStore;
  /** The simulator's notion of now for the task window (default Date.now); Timestamp checks use the real clock. */
  now?: () => number;
  seed?: number;
  port?: number;
}

export interface VodSim extends LoopbackServer {
  readonly store: TaskStore;
  /** Called for every request after it is parsed: tests change the store mid-scan from here. */
  onRequest: ((params: Record<string, string>) => void) | null;
  readonly faults: FaultSettings;
  readonly stats: SimStats;
  readonly accounts: SimAccount[];
  resetStats(): void;
}

export const DEFAULT_ACCOUNT: SimAccount = { accessKeyId: 'LTAI5tSimulatedKey01', accessKeySecret: 'sim-secret-0123456789abcdef' };
export const API_VERSION = '2017-03-21';
const WINDOW_MS = 3 * 24 * 3600_000;
const SKEW_MS = 15 * 60_000;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function decodeForm(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!text) return out;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      throw new ApiError('InvalidParameter', 400, 'The request has a malformed percent-encoding.');
    }
    if (key in out) throw new ApiError('InvalidParameter', 400, `The parameter ${key} appears more than once.`);
    out[key] = value;
  }
  return out;
}

function parseTime(name: string, value: string): number {
  const ms = TIME_RE.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new ApiError(`Invalid${name}.Malformed`, 400, `Specified ${name} is malformed.`);
  return ms;
}

function intParam(params: Record<string, string>, name: string, dflt: number, max?: number): number {
  const raw = params[name];
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || (max !== undefined && Number(raw) > max)) {
    throw new ApiError('InvalidParameter', 400, `The specified parameter ${name} is invalid.`);
  }
  return Number(raw);
}

function hostOf(path: string): string {
  return path.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0]!.toLowerCase();
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts a DescribeVodRefreshTasks server on 127.0.0.1 that checks what the real API checks. */
export async function startVodSim(options: VodSimOptions = {}): Promise<VodSim> {
  const accounts = (options.accounts ?? [DEFAULT_ACCOUNT]).map((a) => ({ ...a }));
  const store = options.store ?? new TaskStore();
  const now = options.now ?? Date.now;
  const random = seededRandom(options.seed ?? 1);
  const faults: FaultSettings = { latencyMs: 0, qpsLimit: null, throttleRate: 0, htmlRate: 0, resetRate: 0, queue: [], omitEmptyTasks: false };
  const stats: SimStats = { requests: 0, served: 0, byCode: {}, log: [], inFlight: 0, maxInFlight: 0, arrivals: [] };
  const nonces = new Map<string, number>();
  const arrivals = new Map<string, number[]>();

  const count = (code: string) => {
    stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
  };

  const fail = (res: ServerResponse, err: ApiError) => {
    count(err.code);
    sendJson(res, err.status, { RequestId: randomUUID().toUpperCase(), HostId: 'vod.cn-shanghai.aliyuncs.com', Code: err.code, Message: err.message, Recommend: `https://api.aliyun.com/troubleshoot?q=${err.code}` });
  };

  function authenticate(method: string, params: Record<string, string>): SimAccount {
    for (const name of ['AccessKeyId', 'Timestamp', 'SignatureNonce', 'Signature', 'SignatureMethod', 'SignatureVersion', 'Version', 'Action']) {
      if (params[name] === undefined) throw new ApiError(`MissingParameter`, 400, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
    }
    if (params.SignatureMethod !== 'HMAC-SHA1') throw new ApiError('InvalidParameter', 400, 'The specified SignatureMethod is not supported.');
    if (params.SignatureVersion !== '1.0') throw new ApiError('InvalidParameter', 400, 'The specified SignatureVersion is not supported.');
    if (params.Format !== undefined && !['JSON', 'XML'].includes(params.Format)) throw new ApiError('InvalidParameter', 400, 'The specified Format is not supported.');
    const ts = params.Timestamp!;
    const tsMs = TIME_RE.test(ts) ? Date.parse(ts) : NaN;
    if (Number.isNaN(tsMs)) throw new ApiError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.');
    if (Math.abs(Date.now() - tsMs) > SKEW_MS) throw new ApiError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.');
    const account = accounts.find((a) => a.accessKeyId === params.AccessKeyId);
    if (!account) throw new ApiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    const expected = signRpc(method, params, account.accessKeySecret);
    if (!safeEqual(expected, params.Signature!)) {
      throw new ApiError('SignatureDoesNotMatch', 400, 'Specified signature is not matched with our calculation.');
    }
    if (account.accessKeyId.startsWith('STS.')) {
      if (params.SecurityToken === undefined) throw new ApiError('MissingSecurityToken', 400, 'SecurityToken is mandatory for this action.');
      if (!account.securityToken || !safeEqual(account.securityToken, params.SecurityToken)) {
        throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.');
      }
    }
    // A nonce is remembered for the 15 minutes a Timestamp stays valid.
    const seen = nonces.get(params.SignatureNonce!);
    if (seen !== undefined && Date.now() - seen < SKEW_MS * 2) throw new ApiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.');
    nonces.set(params.SignatureNonce!, Date.now());
    if (nonces.size > 200_000) {
      for (const [n, at] of nonces) if (Date.now() - at > SKEW_MS * 2) nonces.delete(n);
    }
    if (params.Version !== API_VERSION) throw new ApiError('InvalidVersion', 400, 'Specified parameter Version is not valid.');
    if (params.Action !== 'DescribeVodRefreshTasks') throw new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
    if (account.state === 'notOpened') throw new ApiError('OperationDenied', 403, 'Your account does not open VOD service yet.');
    if (account.state === 'suspended') throw new ApiError('OperationDenied.Suspended', 403, 'Your VOD service is suspended.');
    return account;
  }

  function overQps(accessKeyId: string): boolean {
    if (faults.qpsLimit === null) return false;
    const t = Date.now();
    const list = (arrivals.get(accessKeyId) ?? []).filter((a) => t - a < 1000);
    list.push(t);
    arrivals.set(accessKeyId, list);
    // Throttled requests count against the window too, as they do at a real gateway.
    return list.length > faults.qpsLimit;
  }

  function describe(params: Record<string, string>): Record<string, unknown> {
    const nowMs = now();
    if (params.TaskId !== undefined && !/^\d+$/.test(params.TaskId)) throw new ApiError('InvalidTaskId.Malformed', 400, 'Specified TaskId is malformed.');
    const pageSize = intParam(params, 'PageSize', 20, 50);
    const pageNumber = intParam(params, 'PageNumber', 1);
    if (params.ObjectType !== undefined && !['file', 'directory', 'preload'].includes(params.ObjectType)) {
      throw new ApiError('InvalidParameter', 400, 'The specified parameter ObjectType is invalid.');
    }
    if (params.Status !== undefined && !['Complete', 'Refreshing', 'Failed'].includes(params.Status)) {
      throw new ApiError('InvalidParameter', 400, 'The specified parameter Status is invalid.');
    }
    if ((params.DomainName !== undefined || params.Status !== undefined) && params.ObjectType === undefined) {
      throw new ApiError('MissingParameter.ObjectType', 400, 'The ObjectType is required when DomainName or Status is specified.');
    }
    if ((params.StartTime === undefined) !== (params.EndTime === undefined)) {
      throw new ApiError('MissingParameter', 400, 'StartTime and EndTime can not be single.');
    }
    let start = nowMs - WINDOW_MS;
    let end = nowMs;
    if (params.StartTime !== undefined && params.EndTime !== undefined) {
      start = parseTime('StartTime', params.StartTime);
      end = parseTime('EndTime', params.EndTime);
      if (end <= start) throw new ApiError('InvalidEndTime.Mismatch', 400, 'Specified EndTime does not math the specified StartTime.');
      if (start < nowMs - WINDOW_MS) throw new ApiError('InvalidTime', 400, 'The query time cannot exceed the last 3 days.');
    }
    const domain = params.DomainName?.toLowerCase();
    const { tasks: sorted, createdMs } = store.newestFirst();
    const from = Math.max(start, nowMs - WINDOW_MS);
    // Newest first: the window [from, end] is one contiguous run, found by binary search.
    const firstAtOrBefore = (t: number) => {
      let lo = 0;
      let hi = createdMs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (createdMs[mid]! > t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let matches = sorted.slice(firstAtOrBefore(end), firstAtOrBefore(from - 1));
    if (params.TaskId !== undefined || params.ObjectPath !== undefined || params.ObjectType !== undefined || params.Status !== undefined || domain !== undefined) {
      matches = matches.filter((t: SimTask) => {
        if (params.TaskId !== undefined && t.TaskId !== params.TaskId) return false;
        if (params.ObjectPath !== undefined && t.ObjectPath !== params.ObjectPath) return false;
        if (params.ObjectType !== undefined && t.ObjectType !== params.ObjectType) return false;
        if (params.Status !== undefined && t.Status !== params.Status) return false;
        if (domain !== undefined && hostOf(t.ObjectPath) !== domain) return false;
        return true;
      });
    }
    const rows = matches.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((t) => {
      const row: Record<string, string> = { TaskId: t.TaskId, ObjectPath: t.ObjectPath, ObjectType: t.ObjectType, Status: t.Status, Process: t.Process, CreationTime: t.CreationTime };
      if (t.Description !== undefined) row.Description = t.Description;
      return row;
    });
    const body: Record<string, unknown> = { PageNumber: pageNumber, PageSize: pageSize, TotalCount: matches.length, RequestId: randomUUID().toUpperCase() };
    if (rows.length > 0 || !faults.omitEmptyTasks) body.Tasks = { Task: rows };
    return body;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    let params: Record<string, string>;
    try {
      if (url.pathname !== '/') throw new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
      if (method === 'GET') {
        params = decodeForm(url.search.slice(1));
      } else if (method === 'POST') {
        const type = String(req.headers['content-type'] ?? '');
        if (!type.startsWith('application/x-www-form-urlencoded')) throw new ApiError('InvalidParameter', 400, 'POST bodies must be form-encoded.');
        params = { ...decodeForm(url.search.slice(1)), ...decodeForm((await readBody(req)).toString('utf8')) };
      } else {
        throw new ApiError('UnsupportedHTTPMethod', 405, 'The HTTP method is not supported.');
      }
    } catch (err) {
      if (err instanceof ApiError) return fail(res, err);
      throw err;
    }
    const logged = { ...params };
    delete logged.Signature;
    delete logged.SecurityToken;
    stats.log.push(logged);
    sim.onRequest?.(logged);
    if (stats.log.length > 50_000) stats.log.splice(0, 10_000);

    const fault = faults.queue.shift();
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (fault?.kind === 'reset' || (faults.resetRate > 0 && random() < faults.resetRate)) {
      count('ECONNRESET');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    if (fault?.kind === 'html' || (faults.htmlRate > 0 && random() < faults.htmlRate)) {
      const status = fault?.kind === 'html' ? (fault.status ?? 502) : 502;
      count(`HTML${status}`);
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>Tengine</center></body></html>`);
      return;
    }
    if (fault?.kind === 'noCode') {
      count(`NOCODE${fault.status}`);
      return sendJson(res, fault.status, { RequestId: randomUUID() });
    }
    if (fault?.kind === 'body') {
      count('CUSTOM');
      return sendJson(res, 200, fault.body);
    }
    try {
      const account = authenticate(method, params);
      if (fault?.kind === 'error') throw new ApiError(fault.code, fault.status, fault.message ?? fault.code);
      if (fault?.kind === 'throttle' || overQps(account.accessKeyId) || (faults.throttleRate > 0 && random() < faults.throttleRate)) {
        throw new ApiError('Throttling', 503, 'Request was denied due to request throttling.');
      }
      const body = describe(params);
      count('OK');
      stats.served++;
      sendJson(res, 200, body);
    } catch (err) {
      if (err instanceof ApiError) return fail(res, err);
      count('InternalError');
      sendJson(res, 500, { RequestId: randomUUID(), Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
    }
  }

  const { loopback } = await listenLoopback((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.arrivals.push(Date.now());
    if (stats.arrivals.length > 50_000) stats.arrivals.splice(0, 10_000);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        stats.inFlight--;
      }
    };
    res.on('close', finish);
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { Code: 'InternalError', Message: 'simulator failure' });
    });
  }, options.port);

  const sim: VodSim = {
    ...loopback,
    onRequest: null,
    store,
    faults,
    stats,
    accounts,
    resetStats() {
      stats.requests = 0;
      stats.served = 0;
      stats.byCode = {};
      stats.log = [];
      stats.maxInFlight = stats.inFlight;
      stats.arrivals = [];
    },
  };
  return sim;
}

export { apiTime };

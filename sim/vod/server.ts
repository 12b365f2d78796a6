// The simulators are independent of lib/ on purpose: they are the other side that checks our client, so they never import it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, listenLoopback, readBody, sendJson } from '../http';
import { seededRandom } from '../random';
import { decodeForm, FormError } from '../shared/encoding';
import { type ApiContext, findAction, runAction } from './api';
import { API_VERSION, checkAccountState, DEFAULT_ACCOUNT, Gateway, type SimAccount } from './auth';
import { ApiError, errorBody, requestId } from './errors';
import { FaultInjector, type FaultSettings, noFaults } from './faults';
import { COMPLETE_IN_A_MINUTE, type DomainState, type PurgeControls } from './purge';
import { DailyQuota, type QuotaCounts } from './quota';
import { TaskStore } from './store';

export type { DomainState, FaultSettings, QuotaCounts, SimAccount };
export { API_VERSION, DEFAULT_ACCOUNT };

/** What the simulator saw, for tests and benchmarks. */
export interface SimStats {
  requests: number;
  /** Requests answered with a success body. */
  served: number;
  /** Answers by error code (`OK` for success). */
  byCode: Record<string, number>;
  /** Every request's decoded parameters, Action included (Signature and SecurityToken dropped). */
  log: Array<Record<string, string>>;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
  /** Arrival times (ms, real clock), for checking the pace of a client. */
  arrivals: number[];
}

/** How to start a VOD simulator. */
export interface VodSimOptions {
  accounts?: SimAccount[];
  store?: TaskStore;
  /** The API clock (default Date.now): the 3-day window, new rows, fates, quota days and the Date header. Timestamp checks use the real clock. */
  now?: () => number;
  /** The clock the QPS limit counts arrivals on (default Date.now, as a gateway does); a test whose client sleeps on a virtual clock passes that clock. */
  rateNow?: () => number;
  seed?: number;
  port?: number;
  /** The account's CDN domains and their state; without it any domain can be refreshed. */
  domains?: Record<string, DomainState>;
  /** Daily limits; defaults 2,000 URLs, 100 directories, 500 preloads. */
  quota?: Partial<QuotaCounts>;
}

/** A running VOD simulator and the handles tests steer it with. */
export interface VodSim extends LoopbackServer, PurgeControls {
  readonly store: TaskStore;
  /** Called for every request after it is parsed: tests change the store mid-scan from here. */
  onRequest: ((params: Record<string, string>) => void) | null;
  readonly faults: FaultSettings;
  readonly stats: SimStats;
  readonly accounts: SimAccount[];
  /** What remains of today's quota per kind (all keys of one simulator are one Alibaba Cloud account); tests may write it. */
  readonly quota: QuotaCounts;
  resetStats(): void;
}

/** Starts the VOD refresh APIs on 127.0.0.1, checking what the real gateway and API check. */
export async function startVodSim(options: VodSimOptions = {}): Promise<VodSim> {
  const accounts = (options.accounts ?? [DEFAULT_ACCOUNT]).map((a) => ({ ...a }));
  const store = options.store ?? new TaskStore();
  const now = options.now ?? Date.now;
  const faults = noFaults();
  const stats: SimStats = { requests: 0, served: 0, byCode: {}, log: [], inFlight: 0, maxInFlight: 0, arrivals: [] };
  const count = (code: string) => {
    stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
  };
  const gateway = new Gateway(accounts);
  const injector = new FaultInjector(faults, seededRandom(options.seed ?? 1), count, options.rateNow);
  const daily = new DailyQuota(options.quota, now());
  const domains = options.domains && Object.fromEntries(Object.entries(options.domains).map(([d, s]) => [d.toLowerCase(), s]));

  const fail = (res: ServerResponse, err: ApiError) => {
    count(err.code);
    res.setHeader('Date', new Date(now()).toUTCString());
    sendJson(res, err.status, errorBody(err));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    res.setHeader('Date', new Date(now()).toUTCString());
    const method = (req.method ?? 'GET').toUpperCase();
    let params: Record<string, string>;
    try {
      params = await readParams(req, method);
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

    const played = await injector.transport(req, res);
    if (!played) return;
    try {
      const account = gateway.authenticate(method, params);
      const action = findAction(params.Action!);
      checkAccountState(account);
      injector.afterAuth(played.fault, account.accessKeyId);
      const body = runAction(action, ctx, params, now());
      count('OK');
      stats.served++;
      res.setHeader('Date', new Date(now()).toUTCString());
      sendJson(res, 200, body);
    } catch (err) {
      if (err instanceof ApiError) return fail(res, err);
      count('InternalError');
      sendJson(res, 500, { RequestId: requestId(), Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
    }
  }

  const { loopback } = await listenLoopback((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.arrivals.push(Date.now());
    if (stats.arrivals.length > 50_000) stats.arrivals.splice(0, 10_000);
    let done = false;
    res.on('close', () => {
      if (!done) {
        done = true;
        stats.inFlight--;
      }
    });
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
    quota: daily.remain,
    fatePolicy: COMPLETE_IN_A_MINUTE,
    nextFates: [],
    submissions: [],
    preloadQueueFull: false,
    resetStats() {
      stats.requests = 0;
      stats.served = 0;
      stats.byCode = {};
      stats.log = [];
      stats.maxInFlight = stats.inFlight;
      stats.arrivals = [];
    },
  };
  const ctx: ApiContext = { store, faults, daily, domains, controls: sim };
  return sim;
}

/** The request's parameters: the query string, plus a form body for POST. */
async function readParams(req: IncomingMessage, method: string): Promise<Record<string, string>> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/') throw new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
  try {
    if (method === 'GET') return decodeForm(url.search.slice(1));
    if (method !== 'POST') throw new ApiError('UnsupportedHTTPMethod', 405, 'The HTTP method is not supported.');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      throw new ApiError('InvalidParameter', 400, 'POST bodies must be form-encoded.');
    return { ...decodeForm(url.search.slice(1)), ...decodeForm((await readBody(req)).toString('utf8')) };
  } catch (err) {
    if (err instanceof FormError) throw new ApiError('InvalidParameter', 400, err.message);
    throw err;
  }
}

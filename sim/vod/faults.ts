import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http';
import { ApiError, requestId } from './errors';

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

/** Settings with no fault at all. */
export function noFaults(): FaultSettings {
  return { latencyMs: 0, qpsLimit: null, throttleRate: 0, htmlRate: 0, resetRate: 0, queue: [], omitEmptyTasks: false };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays the faults: transport faults before a request is checked, throttling and scripted API errors after. */
export class FaultInjector {
  private readonly arrivals = new Map<string, number[]>();

  constructor(
    private readonly settings: FaultSettings,
    private readonly random: () => number,
    private readonly count: (code: string) => void,
    private readonly rateNow: () => number = Date.now,
  ) {}

  /** Takes the next scripted fault and waits the latency; answers (or resets) itself for a transport fault and then returns null. */
  async transport(req: IncomingMessage, res: ServerResponse): Promise<{ fault: Fault | undefined } | null> {
    const { settings, random } = this;
    const fault = settings.queue.shift();
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (fault?.kind === 'reset' || (settings.resetRate > 0 && random() < settings.resetRate)) {
      this.count('ECONNRESET');
      req.socket.destroy();
      return null;
    }
    if (fault?.kind === 'slow') await sleep(fault.ms);
    if (res.destroyed) return null;
    if (fault?.kind === 'html' || (settings.htmlRate > 0 && random() < settings.htmlRate)) {
      const status = fault?.kind === 'html' ? (fault.status ?? 502) : 502;
      this.count(`HTML${status}`);
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(
        `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>Tengine</center></body></html>`,
      );
      return null;
    }
    if (fault?.kind === 'noCode') {
      this.count(`NOCODE${fault.status}`);
      sendJson(res, fault.status, { RequestId: requestId() });
      return null;
    }
    if (fault?.kind === 'body') {
      this.count('CUSTOM');
      sendJson(res, 200, fault.body);
      return null;
    }
    return { fault };
  }

  /** Throws the scripted API error, or `Throttling` for a scripted or random throttle or a key over its QPS. */
  afterAuth(fault: Fault | undefined, accessKeyId: string): void {
    if (fault?.kind === 'error') throw new ApiError(fault.code, fault.status, fault.message ?? fault.code);
    if (fault?.kind === 'throttle' || this.overQps(accessKeyId) || (this.settings.throttleRate > 0 && this.random() < this.settings.throttleRate)) {
      throw new ApiError('Throttling', 503, 'Request was denied due to request throttling.');
    }
  }

  private overQps(accessKeyId: string): boolean {
    const limit = this.settings.qpsLimit;
    if (limit === null) return false;
    const t = this.rateNow();
    const recent = (this.arrivals.get(accessKeyId) ?? []).filter((a) => t - a < 1000);
    // Throttled requests count against the window too, as they do at a real gateway.
    recent.push(t);
    this.arrivals.set(accessKeyId, recent);
    return recent.length > limit;
  }
}

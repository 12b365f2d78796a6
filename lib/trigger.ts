/** What the handler takes from a timer event. */
export interface TimerRun {
  readonly triggerTime: string | null;
  readonly triggerName: string | null;
  readonly dryRun: boolean;
  /** `{"status": true}`: report the saved state and the last runs; read nothing, change nothing. */
  readonly status: boolean;
  /** Parts of the event that were ignored, with why. */
  readonly problems: string[];
}

const MAX_EVENT_BYTES = 64 * 1024;
const PAYLOAD_KEYS = new Set(['dryRun', 'status']);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses a Function Compute timer event (`{"triggerTime","triggerName","payload"}`, as a Buffer) and its optional
 * JSON payload (`{"dryRun": true}`). A malformed event never stops the run: it runs with defaults and says why.
 */
export function parseTimerEvent(event: unknown): TimerRun {
  const problems: string[] = [];
  let raw: unknown = event;
  if (Buffer.isBuffer(raw)) {
    if (raw.length > MAX_EVENT_BYTES)
      return {
        triggerTime: null,
        triggerName: null,
        dryRun: false,
        status: false,
        problems: [`event of ${raw.length} bytes ignored (over ${MAX_EVENT_BYTES})`],
      };
    raw = raw.toString('utf8');
  }
  if (typeof raw === 'string') {
    if (raw.trim() === '') raw = {};
    else {
      const parsed = parseJson(raw);
      if (parsed === undefined) {
        problems.push('event is not JSON; ran with defaults');
        raw = {};
      } else raw = parsed;
    }
  }
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { triggerTime: null, triggerName: null, dryRun: false, status: false, problems: [...problems, 'event is not a JSON object; ran with defaults'] };
  }
  const e = raw as Record<string, unknown>;
  let triggerTime: string | null = null;
  if (typeof e.triggerTime === 'string' && !Number.isNaN(Date.parse(e.triggerTime)) && e.triggerTime.length <= 40) triggerTime = e.triggerTime;
  else if (e.triggerTime !== undefined) problems.push('triggerTime is not a time; ignored');
  const triggerName = typeof e.triggerName === 'string' ? e.triggerName.slice(0, 128) : null;
  return { triggerTime, triggerName, ...payloadOf(e.payload, problems), problems };
}

/** The payload's switches (`{"dryRun": true}`, `{"status": true}`); anything else is ignored and said in `problems`. */
function payloadOf(raw: unknown, problems: string[]): { dryRun: boolean; status: boolean } {
  let payload: unknown = raw;
  if (typeof payload === 'string') {
    if (payload.trim() === '') payload = undefined;
    else {
      const parsed = parseJson(payload);
      if (parsed === undefined) problems.push('payload is not JSON; ignored');
      payload = parsed;
    }
  }
  let dryRun = false;
  let status = false;
  if (payload === undefined || payload === null) return { dryRun, status };
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    problems.push('payload is not a JSON object; ignored');
    return { dryRun, status };
  }
  const p = payload as Record<string, unknown>;
  for (const k of Object.keys(p)) if (!PAYLOAD_KEYS.has(k)) problems.push(`payload key ${JSON.stringify(k.slice(0, 40))} is not known; ignored`);
  if (p.dryRun !== undefined) {
    if (typeof p.dryRun === 'boolean') dryRun = p.dryRun;
    else problems.push('payload dryRun must be true or false; ignored');
  }
  if (p.status !== undefined) {
    if (typeof p.status === 'boolean') status = p.status;
    else problems.push('payload status must be true or false; ignored');
  }
  return { dryRun, status };
}

import { ApiError, invalid } from './errors';

/** `yyyy-MM-ddTHH:mm:ssZ`, the API's only time format (UTC, no milliseconds). */
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Parses StartTime or EndTime; `Invalid<name>.Malformed` when it is not in the API's format. */
export function parseTime(name: string, value: string): number {
  const ms = TIME_RE.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new ApiError(`Invalid${name}.Malformed`, 400, `Specified ${name} is malformed.`);
  return ms;
}

/** A positive integer parameter with a default and an optional maximum. */
export function intParam(params: Record<string, string>, name: string, dflt: number, max?: number): number {
  const raw = params[name];
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || (max !== undefined && Number(raw) > max)) throw invalid(name);
  return Number(raw);
}

/** A boolean parameter (`true` or `false`), if given. */
export function boolParam(params: Record<string, string>, name: string): boolean | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw invalid(name);
  return raw === 'true';
}

/** A parameter that must be one of `values`, if given. */
export function oneOf<T extends string>(params: Record<string, string>, name: string, values: readonly T[]): T | undefined {
  const raw = params[name];
  if (raw !== undefined && !(values as readonly string[]).includes(raw)) throw invalid(name);
  return raw as T | undefined;
}

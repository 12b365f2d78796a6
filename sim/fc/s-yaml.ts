// What the simulated Function Compute deploys, read from the project's s.yaml as `s deploy` would render it: the fields
// a function runs with (handler, memory, timeout, its timer), with every ${env('NAME', 'default')} and ${vars.x} resolved.
import { load } from 'js-yaml';

/** A timer trigger as s.yaml declares it. */
export interface DeployedTimer {
  readonly triggerName: string;
  readonly cronExpression: string;
  readonly enable: boolean;
  readonly payload: string;
}

/** A function of s.yaml, with the settings Function Compute runs it with. */
export interface DeployedFunction {
  /** Its key under `resources`. */
  readonly resource: string;
  readonly functionName: string;
  readonly handler: string;
  readonly runtime: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly timers: readonly DeployedTimer[];
  readonly asyncInvokeConfig?: {
    maxAsyncRetryAttempts?: number;
    maxAsyncEventAgeInSeconds?: number;
    destinationConfig?: { onFailure?: { destination: string } };
  };
}

/** s.yaml cannot be read into functions: the message names the field and what it needs. */
export class SYamlError extends Error {
  override name = 'SYamlError';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the placeholders of one value as Serverless Devs does: `${env('NAME')}` is the variable (required),
 * `${env('NAME', 'default')}` the variable or, when it is unset or empty, the default; `${vars.x}` the template's var.
 */
export function resolve(where: string, value: unknown, env: Env, vars: Readonly<Record<string, unknown>>): string {
  const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  if (typeof text !== 'string') throw new SYamlError(`s.yaml: ${where} is missing or not a value`);
  return text.replace(/\$\{\s*([^}]*?)\s*\}/g, (_all, inner: string) => {
    const e = /^env\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*(?:,\s*(['"])(.*?)\3\s*)?\)$/.exec(inner);
    if (e) {
      const set = env[e[2]!];
      if (set !== undefined && set !== '') return set;
      if (e[4] !== undefined) return e[4];
      throw new SYamlError(`s.yaml: ${where} needs ${e[2]} (env('${e[2]}') has no default): export it`);
    }
    // `env('NAME', config('AccountID'))`: the variable, or the account of the `s` access; with no access (as here, and
    // as `s preview` without one) the placeholder stays as it is.
    const c = /^env\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*,\s*config\(\s*(['"])AccountID\3\s*\)\s*\)$/.exec(inner);
    if (c) return env[c[2]!] || "${config('AccountID')}";
    const v = /^vars\.([A-Za-z0-9_-]+)$/.exec(inner);
    if (v && vars[v[1]!] !== undefined) return String(vars[v[1]!]);
    throw new SYamlError(`s.yaml: ${where} uses \${${inner}}, which this reader does not resolve (env('NAME', 'default') and vars.x only)`);
  });
}

function whole(where: string, text: string, min: number, max: number, step = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max || n % step !== 0)
    throw new SYamlError(
      `s.yaml: ${where} is ${JSON.stringify(text)}; Function Compute takes a whole number from ${min} to ${max}${step > 1 ? `, a multiple of ${step}` : ''}`,
    );
  return n;
}

type Props = Record<string, unknown>;

function timersOf(where: string, props: Props, r: (w: string, v: unknown) => string): DeployedTimer[] {
  const triggers = Array.isArray(props.triggers) ? (props.triggers as Props[]) : [];
  return triggers
    .map((t, i) => ({ t, at: `${where}.triggers[${i}]` }))
    .filter(({ t }) => t.triggerType === 'timer')
    .map(({ t, at }) => {
      const cfg = (t.triggerConfig ?? {}) as Props;
      return {
        triggerName: r(`${at}.triggerName`, t.triggerName),
        cronExpression: r(`${at}.triggerConfig.cronExpression`, cfg.cronExpression),
        enable: cfg.enable === undefined ? true : r(`${at}.triggerConfig.enable`, cfg.enable) === 'true',
        payload: cfg.payload === undefined ? '' : r(`${at}.triggerConfig.payload`, cfg.payload),
      };
    });
}

function asyncOf(where: string, props: Props, r: (w: string, v: unknown) => string): DeployedFunction['asyncInvokeConfig'] {
  const a = props.asyncInvokeConfig as Props | undefined;
  if (!a) return undefined;
  const at = `${where}.asyncInvokeConfig`;
  const failure = ((a.destinationConfig as Props | undefined)?.onFailure as Props | undefined)?.destination;
  return {
    ...(a.maxAsyncRetryAttempts !== undefined ? { maxAsyncRetryAttempts: whole(`${at}.maxAsyncRetryAttempts`, r(at, a.maxAsyncRetryAttempts), 0, 8) } : {}),
    ...(a.maxAsyncEventAgeInSeconds !== undefined
      ? { maxAsyncEventAgeInSeconds: whole(`${at}.maxAsyncEventAgeInSeconds`, r(at, a.maxAsyncEventAgeInSeconds), 1, 86_400) }
      : {}),
    ...(failure !== undefined ? { destinationConfig: { onFailure: { destination: r(`${at}.destinationConfig.onFailure.destination`, failure) } } } : {}),
  };
}

/**
 * The fc3 functions of an s.yaml text, each with what Function Compute runs it with. Only the fields read here are
 * resolved, so a variable the simulator has no use for (FC_ROLE_ARN, STATE_BUCKET) need not be set.
 */
export function readSYaml(text: string, env: Env): DeployedFunction[] {
  const doc = load(text) as { vars?: Props; resources?: Record<string, { component?: string; props?: Props }> } | null;
  const vars = doc?.vars ?? {};
  const out: DeployedFunction[] = [];
  for (const [resource, res] of Object.entries(doc?.resources ?? {})) {
    if (res?.component !== 'fc3' || !res.props) continue;
    const p = res.props;
    const where = `resources.${resource}.props`;
    const r = (w: string, v: unknown) => resolve(w, v, env, vars);
    const asyncInvokeConfig = asyncOf(where, p, r);
    out.push({
      resource,
      functionName: r(`${where}.functionName`, p.functionName),
      handler: r(`${where}.handler`, p.handler),
      runtime: r(`${where}.runtime`, p.runtime),
      memorySize: whole(`${where}.memorySize`, r(`${where}.memorySize`, p.memorySize), 128, 32_768, 64),
      timeout: whole(`${where}.timeout`, r(`${where}.timeout`, p.timeout), 1, 86_400),
      timers: timersOf(where, p, r),
      ...(asyncInvokeConfig ? { asyncInvokeConfig } : {}),
    });
  }
  if (out.length === 0) throw new SYamlError('s.yaml: no fc3 resource found');
  return out;
}

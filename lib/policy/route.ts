import type { AlertEvent } from '../events/schema';
import type { AlertingPlan } from './load';
import type { Match, RouteKind } from './schema';

/** The facts a route or a mute matches on. */
export interface Facets {
  readonly kind: RouteKind;
  readonly domain: string | null;
  readonly description: string | null;
  readonly objectType: string | null;
}

/** What an alert is, for routing. */
export function facetsOf(e: AlertEvent): Facets {
  const kind: RouteKind =
    e.kind === 'failed' || e.kind === 'stuck' || e.kind === 'recovered' || e.kind === 'reminder' || e.kind === 'digest'
      ? e.kind
      : e.kind === 'resubmitted'
        ? 'retry'
        : e.kind === 'muted-summary'
          ? 'failed'
          : 'health';
  if ('task' in e) return { kind, domain: e.task.domain || null, description: e.task.description, objectType: e.task.objectType };
  return { kind, domain: null, description: null, objectType: null };
}

function domainMatches(pattern: string, domain: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? domain.endsWith(p.slice(1)) : domain === p;
}

/** Every field given must match (AND); any value of a field will do (OR). */
export function matches(m: Match, f: Facets): boolean {
  if (m.kind && !m.kind.includes(f.kind)) return false;
  if (m.domain && !(f.domain && m.domain.some((p) => domainMatches(p, f.domain!)))) return false;
  if (m.description && !(f.description !== null && m.description.includes(f.description))) return false;
  if (m.objectType && !(f.objectType !== null && (m.objectType as readonly string[]).includes(f.objectType))) return false;
  return true;
}

/** The receiver of an alert: its own when it names one (a digest, a mute summary), else the first route that matches, else the default. */
export function routeOf(e: AlertEvent, plan: AlertingPlan): string {
  if ((e.kind === 'digest' || e.kind === 'muted-summary') && plan.receivers.has(e.receiver)) return e.receiver;
  const f = facetsOf(e);
  return plan.routes.find((r) => matches(r.match, f))?.receiver ?? plan.defaultReceiver;
}

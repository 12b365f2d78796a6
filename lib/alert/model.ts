/** What an alert says about one task: all of it came from the API, so all of it is untrusted text. */
export interface TaskFacts {
  readonly taskId: string;
  readonly objectPath: string;
  readonly objectType: string;
  readonly status: string;
  readonly description: string | null;
  readonly creationTime: string | null;
  readonly domain: string;
}

/** One thing on-call must hear about, keyed so that it is delivered once. */
export type AlertEvent =
  | { readonly kind: 'failed'; readonly key: string; readonly task: TaskFacts }
  | { readonly kind: 'stuck'; readonly key: string; readonly task: TaskFacts; readonly ageMinutes: number }
  | { readonly kind: 'recovered'; readonly key: string; readonly task: TaskFacts; readonly failedTaskId: string; readonly failedDescription: string | null }
  | { readonly kind: 'backlog'; readonly key: string; readonly count: number; readonly byDescription: Record<string, number>; readonly sinceMs: number; readonly untilMs: number }
  | { readonly kind: 'health-down'; readonly key: string; readonly code: string; readonly message: string; readonly sinceMs: number }
  | { readonly kind: 'health-up'; readonly key: string; readonly code: string; readonly downSinceMs: number }
  | { readonly kind: 'state-reset'; readonly key: string; readonly reason: string; readonly keptAt: string };

/** The failure classes on-call sees first; anything else is grouped under its own text. */
export const KNOWN_DESCRIPTIONS = ['Origin Timeout', 'Origin Return StatusCode 5XX', 'Internal Error'] as const;

/** The group a failure falls in: its Description, or "No description". */
export function failureClass(description: string | null): string {
  return description ?? 'No description';
}

/** The host of an ObjectPath, lower-cased; "" when there is none. */
export function domainOf(objectPath: string): string {
  const host = objectPath.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#\s]/)[0] ?? '';
  return /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i.test(host) ? host.toLowerCase() : '';
}

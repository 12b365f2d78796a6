import * as v from 'valibot';

/** `${ENV_NAME}`: how the alerting file names a secret (the value comes from the function's environment). */
export const ENV_REF = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

const secretRef = v.pipe(v.string(), v.regex(ENV_REF, 'must be a ${VARIABLE} reference: secrets stay out of the file'));
const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const list = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.minLength(1));

/** The kinds of alert a route or a mute can match. */
export const ROUTE_KINDS = ['failed', 'stuck', 'recovered', 'retry', 'reminder', 'health', 'digest'] as const;
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const match = v.strictObject({
  domain: v.optional(list(v.pipe(v.string(), v.regex(/^(\*\.)?[a-z0-9.-]{1,253}(:\d{1,5})?$/i, 'use a domain, or *.domain for its subdomains')))),
  description: v.optional(list(text(200))),
  objectType: v.optional(list(v.picklist(['file', 'directory', 'preload']))),
  kind: v.optional(list(v.picklist(ROUTE_KINDS))),
});

const clock = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (Asia/Shanghai, 24 hours)'));
const duration = v.pipe(v.string(), v.regex(/^\d+\s*[mhd]$/, 'use a duration such as 30m, 4h or 1d'));

const receiver = v.pipe(
  v.strictObject({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,40}$/, 'use letters, digits, . _ or - (at most 40)')),
    dingtalk: v.optional(
      v.strictObject({
        webhook: secretRef,
        secret: v.optional(secretRef),
        keywords: v.optional(list(text(40))),
        atMobiles: v.optional(v.array(v.pipe(v.string(), v.regex(/^\+?\d{5,20}$/, 'is not a mobile number')))),
        atUserIds: v.optional(v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_$-]{1,64}$/, 'is not a DingTalk user id')))),
        atAllMinFailures: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      }),
    ),
    wecom: v.optional(v.strictObject({ webhook: secretRef })),
    webhook: v.optional(v.strictObject({ url: secretRef })),
    maxPerMinute: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20))),
  }),
  v.check((r) => [r.dingtalk, r.wecom, r.webhook].filter(Boolean).length === 1, 'give exactly one of dingtalk, wecom or webhook'),
);

/** The alerting file (ALERTING_CONFIG), in the spirit of Alertmanager's: receivers, routes, reminders, mutes, a digest. */
export const alertingSchema = v.strictObject({
  receivers: list(receiver),
  route: v.strictObject({
    receiver: v.string(),
    routes: v.optional(v.array(v.strictObject({ match, receiver: v.string() }))),
  }),
  reminders: v.optional(v.strictObject({ every: duration, max: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)) })),
  mutes: v.optional(
    v.array(
      v.pipe(
        v.strictObject({
          name: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,40}$/, 'use letters, digits, . _ or -'))),
          match,
          until: v.optional(
            v.pipe(
              v.string(),
              v.regex(/(Z|[+-]\d{2}:\d{2})$/, 'give a time with its zone, e.g. 2026-12-01T02:00:00+08:00'),
              v.check((s) => !Number.isNaN(Date.parse(s)), 'is not a time'),
            ),
          ),
          weekly: v.optional(v.strictObject({ days: list(v.picklist(WEEKDAYS)), from: clock, to: clock })),
          reason: v.optional(text(200)),
        }),
        v.check((m) => (m.until === undefined) !== (m.weekly === undefined), 'give either until (a period) or weekly (a recurring window)'),
      ),
    ),
  ),
  digest: v.optional(v.strictObject({ at: clock, receivers: v.optional(list(v.string())) })),
});

export type AlertingFile = v.InferOutput<typeof alertingSchema>;
export type Match = v.InferOutput<typeof match>;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** Who a message rings, and when. */
export interface MentionPolicy {
  readonly atMobiles: readonly string[];
  readonly atUserIds: readonly string[];
  /** Ring @all when one message carries at least this many new failures; 0 never. */
  readonly atAllMinFailures: number;
}

/** What a message holds that may need people. */
export interface RingNeed {
  /** New failures nobody is handling (not about to be re-submitted by the monitor). */
  readonly needsPeople: number;
  readonly stuck: number;
  readonly reminders: number;
  /** Notices about the monitor itself that need a person: cannot read, state reset, was blind, a notice. */
  readonly monitorTrouble: number;
}

/** Whom a message rings. */
export interface Mentions {
  readonly atMobiles: string[];
  readonly atUserIds: string[];
  readonly isAtAll: boolean;
}

/**
 * Whom a message rings: only a message that needs people rings anyone — a failure the monitor is about to re-submit,
 * a recovery, a digest ring nobody — and @all only from the configured number of failures that need people.
 */
export function whoIsRung(need: RingNeed, policy: MentionPolicy): Mentions {
  const alarming = need.needsPeople > 0 || need.stuck > 0 || need.reminders > 0 || need.monitorTrouble > 0;
  if (!alarming) return { atMobiles: [], atUserIds: [], isAtAll: false };
  return {
    atMobiles: [...policy.atMobiles],
    atUserIds: [...policy.atUserIds],
    isAtAll: policy.atAllMinFailures > 0 && need.needsPeople >= policy.atAllMinFailures,
  };
}

/**
 * The line that rings them in DingTalk, which rings a listed mobile or user id only where `@id` is written in the
 * text; empty when nobody is rung. The ids are the configuration's, never text from the API.
 */
export function ringLine(m: Mentions): string {
  return [...m.atMobiles.map((x) => `@${x}`), ...m.atUserIds.map((u) => `@${u}`), ...(m.isAtAll ? ['@all'] : [])].join(' ');
}

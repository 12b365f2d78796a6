/** The hint under failures, unless ALERT_HINT replaces it. */
export const DEFAULT_FAILURE_HINT =
  'Next: check the origin of the domains above, then refresh again in the VOD console (CDN refresh and prefetch) or run `npx vod-refresh-monitor tasks --status Failed --type file`.';

/** The hint under stuck rows. */
export const STUCK_HINT = 'Stuck rows usually clear on their own; if one stays, submit the refresh again, and open a ticket with the TaskId if it hangs again.';

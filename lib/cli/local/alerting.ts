import { shanghaiTime } from '../../time';

/** The robots of the sample alerting file: the name, and the variables that carry its webhook and secret. */
export const SAMPLE_RECEIVERS = [
  { name: 'ops', webhook: 'LOCAL_OPS_WEBHOOK', secret: 'LOCAL_OPS_SECRET' },
  { name: 'video-team', webhook: 'LOCAL_VIDEO_TEAM_WEBHOOK', secret: 'LOCAL_VIDEO_TEAM_SECRET' },
] as const;

/** How long the sample's mute lasts from the start of `local`: long enough to try, short enough to see it end. */
export const SAMPLE_MUTE_MS = 10 * 60_000;

/**
 * `local --alerting`: a file that routes video.example.com to the video team and the rest to ops, and mutes
 * media.example.net for SAMPLE_MUTE_MS (its failures are held, then summed up in one message when the mute ends).
 * The monitor reads it every run, so edits show at the next run.
 */
export function sampleAlerting(nowMs: number): string {
  const until = `${shanghaiTime(nowMs + SAMPLE_MUTE_MS).replace(' ', 'T')}+08:00`;
  const receivers = SAMPLE_RECEIVERS.map(
    (r) => `  - name: ${r.name}\n    dingtalk:\n      webhook: \${${r.webhook}}\n      secret: \${${r.secret}}\n      keywords: [VOD]`,
  ).join('\n');
  return [
    '# Written by `vod-refresh-monitor local --alerting`; read by the monitor every run, so edits show at the next run.',
    'receivers:',
    receivers,
    'route:',
    '  receiver: ops',
    '  routes:',
    '    - match: { domain: [video.example.com] }',
    '      receiver: video-team',
    'mutes:',
    '  - name: local-origin-move',
    '    match: { domain: [media.example.net] }',
    `    until: '${until}'`,
    '    reason: a planned origin move (local demo)',
    '',
  ].join('\n');
}

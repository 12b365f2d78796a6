import { type Config, ConfigError } from '../../config';
import type { Checklist } from '../checks';
import type { Session } from '../session';

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** The configuration, validated as the function validates it; its warnings too. Null when it cannot be used. */
export function checkConfig(s: Session, list: Checklist): Config | null {
  list.section('configuration');
  let config: Config;
  try {
    config = s.config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) list.add('usage', p);
    return null;
  }
  const domains = config.vod.domains.length ? config.vod.domains.join(', ') : 'all domains';
  list.add(
    'ok',
    `valid: ${config.alert.channel} alerts, ${domains}, ${config.vod.objectTypes.join('/')} rows, every ${minutes(config.cadenceMs)} (MONITOR_EVERY_MINUTES), stuck after ${minutes(config.stuckAfterMs)}, blind after ${minutes(config.blindAfterMs)}`,
  );
  for (const w of config.warnings) list.add('warn', w);
  return config;
}

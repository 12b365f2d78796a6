// Finding: "every problem at once" (README, Configuration) does not hold for the channel's webhook: a missing
// DINGTALK_WEBHOOK is only reported once every other variable is fixed, because alertOf() throws from build(),
// after the schema problems were reported. lib/config/index.ts:141-145, 219-222.
import { ConfigError, loadConfig } from '../../lib/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

it('reports a missing webhook together with the other problems', () => {
  expect(problems({ VOD_CONCURRENCY: 'lots' })).toEqual([
    expect.stringMatching(/^VOD_CONCURRENCY: /),
    'DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk',
  ]);
});

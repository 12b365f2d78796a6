// Finding: the README promises that each alerting-file problem names "the field and what is accepted", but a
// misspelt or missing key gets valibot's raw text: `receivers.0.dingtalk.keyword: Invalid key: Expected never but
// received "keyword"`, `route.receiver: Invalid key: Expected "receiver" but received undefined`.
// lib/policy/load.ts:66.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';
import { loadAlerting } from '../../lib/policy/load';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=abc' });

const dir = mkdtempSync(path.join(tmpdir(), 'vrm-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function problemsOf(lines: string[]): Promise<string[]> {
  const file = path.join(dir, String(++files), 'alerting.yaml');
  mkdirSync(path.dirname(file));
  writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    await loadAlerting(file, config, { A_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=abc' });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

it('a misspelt key is named with the keys accepted there', async () => {
  const problems = await problemsOf([
    'receivers:',
    '  - name: a',
    '    dingtalk:',
    '      webhook: ${A_WEBHOOK}',
    '      keyword: [VOD]',
    'route:',
    '  receiver: a',
  ]);
  expect(problems).toHaveLength(1);
  expect(problems[0]).not.toMatch(/Expected never/);
  expect(problems[0]).toMatch(/receivers\.0\.dingtalk\.keyword: .*keywords/);
});

it('a missing key says it is required', async () => {
  const problems = await problemsOf(['receivers:', '  - name: a', '    dingtalk:', '      webhook: ${A_WEBHOOK}', 'route: {}']);
  expect(problems[0]).not.toMatch(/Invalid key/);
  expect(problems[0]).toMatch(/route\.receiver: .*required/);
});

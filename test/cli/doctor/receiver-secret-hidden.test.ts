// Finding: `doctor` prints an alerting-file receiver's URL as host + path + query, so the secret of a JSON webhook
// (a `?token=` query, or a token in the path as Feishu/Slack-style hooks carry it) is printed in clear. The redactor
// learnt the whole URL, which never matches the scheme-less text printed. README: "doctor prints the effective
// receivers (webhooks masked)"; "Secrets stay out of the file". lib/cli/doctor/alerting.ts:13-21 (where()).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CliWorld, startCliWorld } from '../world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

it.each([
  ['a query token', 'hooktoken0123456789abcdef', (t: string) => `https://hooks.example.com/alert?token=${t}`],
  ['a token in the path', '0f1e2d3c-pathtoken-4b5a', (t: string) => `https://open.feishu.cn/open-apis/bot/v2/hook/${t}`],
])('doctor masks %s of a JSON-webhook receiver from the alerting file', async (_what, token, url) => {
  const file = path.join(w.world.dir, 'alerting.yaml');
  writeFileSync(file, ['receivers:', '  - name: hook', '    webhook:', '      url: ${HOOK_URL}', 'route:', '  receiver: hook', ''].join('\n'));
  const r = await w.cli(['doctor', '--no-send'], { ALERTING_CONFIG: file, HOOK_URL: url(token) });
  expect(r.out).toContain('receiver hook: webhook');
  expect(`${r.out}\n${r.err}`).not.toContain(token);
});

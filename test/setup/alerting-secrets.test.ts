// ALERTING_SECRETS: the alerting file's ${NAME}s as one JSON variable, so s.yaml forwards them without a line each.
// Validated once with the configuration (never quoting the value), resolved after the environment, and masked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';
import { loadAlerting } from '../../lib/policy/load';
import { envSecrets, makeRedactor } from '../../lib/redact';

const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=fallback-token';
const dir = mkdtempSync(path.join(tmpdir(), 'vrm-alerting-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = path.join(dir, 'alerting.yaml');
writeFileSync(FILE, "receivers:\n  - name: team\n    dingtalk: { webhook: '${TEAM_WEBHOOK}', secret: '${TEAM_SECRET}' }\nroute:\n  receiver: team\n");

const TEAM = { TEAM_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=team-token-77', TEAM_SECRET: 'SECteam-signing-secret-01' };

describe('ALERTING_SECRETS', () => {
  it('resolves the file’s ${NAME}s when the environment has no variable of that name; the environment wins', async () => {
    const env = { DINGTALK_WEBHOOK: WEBHOOK, ALERTING_SECRETS: JSON.stringify(TEAM) };
    const plan = await loadAlerting(FILE, loadConfig(env), env);
    expect(plan.receivers.get('team')?.alert).toMatchObject({ url: TEAM.TEAM_WEBHOOK, secret: TEAM.TEAM_SECRET });
    const own = { ...env, TEAM_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=from-env' };
    expect((await loadAlerting(FILE, loadConfig(own), own)).receivers.get('team')?.alert.url).toBe(own.TEAM_WEBHOOK);
  });

  it('names a ${NAME} found in neither place', async () => {
    const env = { DINGTALK_WEBHOOK: WEBHOOK, ALERTING_SECRETS: '{"TEAM_WEBHOOK":"https://oapi.dingtalk.com/robot/send?access_token=x"}' };
    const err = await loadAlerting(FILE, loadConfig(env), env).catch((e: unknown) => e);
    expect((err as ConfigError).problems.join('\n')).toContain('${TEAM_SECRET} is not set in the environment (nor in ALERTING_SECRETS)');
  });

  it.each([
    ['{"TEAM_WEBHOOK": "https://x?access_token=leak-me-1"', 'ALERTING_SECRETS: is not JSON'],
    ['["https://x?access_token=leak-me-1"]', 'ALERTING_SECRETS: must be a JSON object'],
    ['{"TEAM_WEBHOOK": 7, "X": "leak-me-1"}', 'ALERTING_SECRETS: TEAM_WEBHOOK: must be text'],
    ['{"bad name": "leak-me-1"}', 'ALERTING_SECRETS: has a name that is not one ("bad name")'],
  ])('refuses %s, naming the variable and never the value', (value, message) => {
    const err = (() => {
      try {
        loadConfig({ DINGTALK_WEBHOOK: WEBHOOK, ALERTING_SECRETS: value });
      } catch (e) {
        return e as ConfigError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toContain(message);
    expect(err!.message).not.toContain('leak-me-1');
  });

  it('is masked, whole and value by value, by the redactor every log line and CLI line goes through', () => {
    const raw = JSON.stringify(TEAM);
    const redact = makeRedactor(envSecrets({ ALERTING_SECRETS: raw }));
    const out = redact(`a ${TEAM.TEAM_SECRET} b ${raw} c team-token-77`);
    expect(out).toMatch(/^a \*\*\* b .* c \*\*\*$/);
    for (const v of [...Object.values(TEAM), 'team-token-77']) expect(out).not.toContain(v);
    expect(makeRedactor(envSecrets({ ALERTING_SECRETS: 'not json at all' }))('x not json at all')).toBe('x ***');
  });
});

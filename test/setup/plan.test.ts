// setup's plan is a pure function of what should exist and what does; `.env` is updated line by line.
import fc from 'fast-check';
import { desiredState } from '../../lib/setup/desired';
import { updateEnvText } from '../../lib/setup/env-file';
import { canonicalJson, type Observed, type PlanItem, planSetup } from '../../lib/setup/plan';

const d = desiredState({ accountId: '1234567890123456', roleName: 'vod-refresh-monitor', bucket: 'b-1', autoRefresh: true });
const FC_TRUST = d.trust;
const OK_BUCKET = { name: 'b-1', location: 'oss-cn-shanghai', storageClass: 'Standard', acl: 'private' };
const all: Observed = {
  role: { arn: 'acs:ram::1234567890123456:role/vod-refresh-monitor', trust: FC_TRUST },
  policies: Object.fromEntries(d.policies.map((p) => [p.name, JSON.stringify(JSON.parse(p.document))])),
  attached: d.policies.map((p) => p.name),
  bucket: OK_BUCKET,
};
const states = (plan: PlanItem[]) => plan.map((i) => `${i.state} ${i.change?.api ?? '-'}`);

describe('planSetup', () => {
  it.each<[string, Partial<Observed>, string[]]>([
    [
      'an empty account: everything is created, role first, bucket last',
      { role: null, policies: {}, attached: [], bucket: null },
      ['create CreateRole', 'create CreatePolicy', 'create AttachPolicyToRole', 'create CreatePolicy', 'create AttachPolicyToRole', 'create PutBucket'],
    ],
    ['everything there (a policy reformatted by RAM is the same)', {}, ['exists -', 'exists -', 'exists -', 'exists -', 'exists -', 'exists -']],
    [
      'a drifted policy gets a new version',
      { policies: { ...all.policies, 'vod-refresh-monitor': '{"Version":"1","Statement":[]}' } },
      ['exists -', 'update CreatePolicyVersion', 'exists -', 'exists -', 'exists -', 'exists -'],
    ],
    ['a policy not attached', { attached: ['vod-refresh-monitor'] }, ['exists -', 'exists -', 'exists -', 'exists -', 'create AttachPolicyToRole', 'exists -']],
    [
      'a role Function Compute may not assume',
      { role: { arn: 'x', trust: '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}' } },
      ['blocked -', 'exists -', 'exists -', 'exists -', 'exists -', 'exists -'],
    ],
    [
      'a bucket in another region',
      { bucket: { ...OK_BUCKET, location: 'oss-cn-hangzhou' } },
      ['exists -', 'exists -', 'exists -', 'exists -', 'exists -', 'blocked -'],
    ],
    ['a public bucket', { bucket: { ...OK_BUCKET, acl: 'public-read' } }, ['exists -', 'exists -', 'exists -', 'exists -', 'exists -', 'blocked -']],
    ['an archive bucket', { bucket: { ...OK_BUCKET, storageClass: 'Archive' } }, ['exists -', 'exists -', 'exists -', 'exists -', 'exists -', 'blocked -']],
    [
      'an infrequent-access bucket is fine',
      { bucket: { ...OK_BUCKET, storageClass: 'IA' } },
      ['exists -', 'exists -', 'exists -', 'exists -', 'exists -', 'exists -'],
    ],
  ])('%s', (_name, change, expected) => {
    expect(states(planSetup(d, { ...all, ...change }))).toEqual(expected);
  });

  it('writes the bucket into the function policy and nothing else of deploy/ram-policy.json changes', () => {
    const doc = d.policies[0]!.document;
    expect(doc).not.toContain('YOUR_STATE_BUCKET');
    expect(doc).toContain('"acs:oss:*:*:b-1/vod-refresh-monitor/*"');
    expect(desiredState({ accountId: '1', roleName: 'r', bucket: 'b-1', autoRefresh: false }).policies.map((p) => p.name)).toEqual(['r']);
  });

  it('canonicalJson sees through key order and spacing, never through a changed value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer())), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(canonicalJson(JSON.stringify(reversed, null, 3))).toBe(canonicalJson(JSON.stringify(o)));
      }),
    );
    expect(canonicalJson('{"a":1}')).not.toBe(canonicalJson('{"a":2}'));
    expect(canonicalJson('not json')).toBeNull();
  });
});

describe('updateEnvText', () => {
  it.each([
    ['an empty file gets the lines', '', 'FC_ROLE_ARN=r\nSTATE_BUCKET=b\n', ['FC_ROLE_ARN added', 'STATE_BUCKET added']],
    [
      'other lines, comments and secrets stay',
      '# x\nDINGTALK_SECRET=SECabc\n',
      '# x\nDINGTALK_SECRET=SECabc\nFC_ROLE_ARN=r\nSTATE_BUCKET=b\n',
      ['FC_ROLE_ARN added', 'STATE_BUCKET added'],
    ],
    ['a value already there (quoted, with a comment) is left alone', "STATE_BUCKET='b' # mine\nFC_ROLE_ARN=r", "STATE_BUCKET='b' # mine\nFC_ROLE_ARN=r", []],
    [
      'an old value is replaced in place, export kept',
      'export STATE_BUCKET=old\nX=1\n',
      'export STATE_BUCKET=b\nX=1\nFC_ROLE_ARN=r\n',
      ['FC_ROLE_ARN added', 'STATE_BUCKET replaced'],
    ],
    ['a file without a final newline', 'X=1', 'X=1\nFC_ROLE_ARN=r\nSTATE_BUCKET=b\n', ['FC_ROLE_ARN added', 'STATE_BUCKET added']],
  ])('%s', (_name, before, after, changed) => {
    const u = updateEnvText(before, { FC_ROLE_ARN: 'r', STATE_BUCKET: 'b' });
    expect(u.text).toBe(after);
    expect(u.changed.map((c) => `${c.name} ${c.was}`)).toEqual(changed);
  });
});

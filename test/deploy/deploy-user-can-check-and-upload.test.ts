// Finding: deploy/deploy-user-policy.json is "the least [the person who deploys] needs", yet README step 11 has that
// person run `doctor` (one DescribeVodRefreshTasks call; `tasks` too) and step 9 has them upload
// vod-refresh-monitor/alerting.yaml to the state bucket. The policy grants neither vod:DescribeVodRefreshTasks nor
// oss:PutObject, so doctor fails with Forbidden.RAM and tells them to attach the function role's policy.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
}
const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const policy = JSON.parse(readFileSync(path.resolve(__dirname, '../../deploy/deploy-user-policy.json'), 'utf8')) as { Statement: Statement[] };
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(value);
const allows = (action: string, resource: string) =>
  policy.Statement.some((s) => s.Effect === 'Allow' && list(s.Action).some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource)));

it('lets the deploying user run the checks of README step 11 (doctor, tasks)', () => {
  expect(allows('vod:DescribeVodRefreshTasks', '*')).toBe(true);
});

it('lets the deploying user upload the alerting file README step 9 puts in the bucket', () => {
  expect(allows('oss:PutObject', 'acs:oss:*:*:vod-refresh-monitor-1234567890123456/vod-refresh-monitor/alerting.yaml')).toBe(true);
});

/**
 * Every API action `setup` may call, with the resource it acts on, for the policy of whoever runs it
 * (deploy/setup-user-policy.json) and for the test that holds the simulators' log to this list.
 * STS GetCallerIdentity needs no permission and is not listed.
 */
export function setupActions(accountId: string, roleName: string, bucket: string, policies: readonly string[]): Array<[string, string]> {
  const role = `acs:ram:*:${accountId}:role/${roleName}`;
  const out: Array<[string, string]> = [
    ['ram:GetRole', role],
    ['ram:CreateRole', role],
    ['ram:ListPoliciesForRole', role],
  ];
  for (const name of policies) {
    const policy = `acs:ram:*:${accountId}:policy/${name}`;
    for (const a of ['ram:GetPolicy', 'ram:GetPolicyVersion', 'ram:CreatePolicy', 'ram:CreatePolicyVersion', 'ram:AttachPolicyToRole']) out.push([a, policy]);
    out.push(['ram:AttachPolicyToRole', role]);
  }
  out.push(['oss:GetBucketInfo', `acs:oss:*:${accountId}:${bucket}`], ['oss:PutBucket', `acs:oss:*:${accountId}:${bucket}`]);
  return out;
}

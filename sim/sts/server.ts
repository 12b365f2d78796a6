// STS GetCallerIdentity on loopback, behind the RPC gateway's checks: who the keys belong to.
import { RpcError, type RpcSim, type SimIdentity, startRpcSim } from '../shared/rpc-gateway';

/** Starts STS (version 2015-04-01) for these keys. */
export function startStsSim(identities: readonly SimIdentity[]): Promise<RpcSim> {
  return startRpcSim(
    {
      service: 'sts',
      host: 'sts.aliyuncs.com',
      version: '2015-04-01',
      free: ['GetCallerIdentity'],
      handle(action, _params, who) {
        if (action !== 'GetCallerIdentity') throw new RpcError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
        const principal = String(200000000000000 + who.accessKeyId.length * 7919);
        return {
          IdentityType: 'RAMUser',
          AccountId: who.accountId,
          PrincipalId: principal,
          UserId: principal,
          Arn: `acs:ram::${who.accountId}:user/${who.userName}`,
        };
      },
    },
    identities,
  );
}

import { canonicalQuery, percentEncode, signRpc } from '../../sim/vod/signature';

describe('RPC signature V1 (the official worked examples)', () => {
  it('reproduces the DescribeRegions example', () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    expect(signRpc('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('reproduces the GetVideoPlayAuth example', () => {
    const params = {
      AccessKeyId: 'testAccessKeyId',
      Action: 'GetVideoPlayAuth',
      Format: 'JSON',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '8f8a035d-6496-4268-afd4-67c22837e38d',
      SignatureVersion: '1.0',
      Timestamp: '2017-10-10T12:02:54Z',
      Version: '2017-03-21',
      VideoId: '5aed81b74ba84920be578cdfe004af4b',
    };
    expect(signRpc('GET', params, 'testAccessKeySecret')).toBe('Ibgh7y8Vp47LBuAsf5Xhi1SvDss=');
  });

  it('signs the method: POST and GET differ', () => {
    const p = { A: '1' };
    expect(signRpc('POST', p, 's')).not.toBe(signRpc('GET', p, 's'));
  });

  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ["!'()", '%21%27%28%29'],
    ['a/b', 'a%2Fb'],
  ])('percent-encodes %j as %s', (input, out) => {
    expect(percentEncode(input)).toBe(out);
  });

  it('leaves Signature out of the canonical string and sorts by name', () => {
    expect(canonicalQuery({ b: '2', Signature: 'x', a: '1' })).toBe('a=1&b=2');
  });
});

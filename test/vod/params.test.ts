import { VodParamError } from '../../lib/vod/errors';
import { checkQuery } from '../../lib/vod/params';
import { formatApiTime, parseApiTime, QUERY_WINDOW_MS } from '../../lib/vod/time';

const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('checkQuery', () => {
  it.each([
    ['Status without ObjectType', { status: 'Failed' }, 'MissingParameter.ObjectType'],
    ['DomainName without ObjectType', { domainName: 'a.example.com' }, 'MissingParameter.ObjectType'],
    ['PageSize 0', { pageSize: 0 }, 'InvalidParameter'],
    ['PageSize 51', { pageSize: 51 }, 'InvalidParameter'],
    ['PageSize 2.5', { pageSize: 2.5 }, 'InvalidParameter'],
    ['PageNumber 0', { pageNumber: 0 }, 'InvalidParameter'],
    ['StartTime alone', { startTime: '2026-11-28T10:00:00Z' }, 'MissingParameter'],
    ['EndTime alone', { endTime: '2026-11-28T10:00:00Z' }, 'MissingParameter'],
    ['milliseconds', { startTime: '2026-11-28T10:00:00.000Z', endTime: '2026-11-28T11:00:00Z' }, 'InvalidStartTime.Malformed'],
    ['a local time', { startTime: '2026-11-28T10:00:00Z', endTime: '2026-11-28 11:00:00' }, 'InvalidEndTime.Malformed'],
    ['end before start', { startTime: '2026-11-28T11:00:00Z', endTime: '2026-11-28T10:00:00Z' }, 'InvalidEndTime.Mismatch'],
    ['end equal to start', { startTime: '2026-11-28T11:00:00Z', endTime: '2026-11-28T11:00:00Z' }, 'InvalidEndTime.Mismatch'],
    ['a window entirely older than 3 days', { startTime: '2026-11-20T00:00:00Z', endTime: '2026-11-21T00:00:00Z' }, 'InvalidTime'],
    ['an unknown ObjectType', { objectType: 'File' }, 'InvalidObjectType.ValueNotSupported'],
    ['Status Pending (not a filter the API takes)', { objectType: 'file', status: 'Pending' }, 'InvalidStatus.ValueNotSupported'],
    ['a TaskId with characters no id has', { taskId: '12 a<b>' }, 'InvalidTaskId.Malformed'],
  ])('rejects %s', (_name, query, code) => {
    let err: unknown;
    try {
      checkQuery(query, NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VodParamError);
    expect((err as VodParamError).code).toBe(code);
    expect((err as VodParamError).retryable).toBe(false);
  });

  it('accepts a full query and formats it for the wire', () => {
    const { params, warnings } = checkQuery(
      {
        objectType: 'file',
        domainName: 'video.example.com',
        status: 'Failed',
        startTime: new Date(NOW - 3600_000 + 123),
        endTime: new Date(NOW),
        pageNumber: 2,
        pageSize: 50,
      },
      NOW,
    );
    expect(warnings).toEqual([]);
    expect(params).toEqual({
      ObjectType: 'file',
      DomainName: 'video.example.com',
      Status: 'Failed',
      StartTime: '2026-11-28T11:00:00Z',
      EndTime: '2026-11-28T12:00:00Z',
      PageNumber: '2',
      PageSize: '50',
    });
  });

  it('clamps a StartTime older than 3 days to the edge of the window, with a warning', () => {
    const { params, warnings } = checkQuery({ startTime: new Date(NOW - 4 * 86400_000), endTime: new Date(NOW) }, NOW);
    expect(warnings).toHaveLength(1);
    const start = parseApiTime(params.StartTime)!;
    expect(start).toBeGreaterThan(NOW - QUERY_WINDOW_MS);
    expect(start).toBeLessThan(NOW - QUERY_WINDOW_MS + 20 * 60_000);
  });
});

describe('API time', () => {
  it.each(['2026-02-30T00:00:00Z', '2026-11-28T24:00:00Z', '2026-11-28T10:00:00', '', 'x', 42, null])('refuses %j', (v) => {
    expect(parseApiTime(v)).toBeNull();
  });
  it('round-trips and drops milliseconds', () => {
    expect(formatApiTime(Date.parse('2026-11-28T10:11:12.999Z'))).toBe('2026-11-28T10:11:12Z');
    expect(parseApiTime('2026-11-28T10:11:12Z')).toBe(Date.parse('2026-11-28T10:11:12Z'));
  });
});

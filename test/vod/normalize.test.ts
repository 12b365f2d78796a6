import fc from 'fast-check';
import { VodError } from '../../lib/vod/errors';
import { MAX_PATH_CHARS, normalizePage, normalizeTask } from '../../lib/vod/normalize';

const row = {
  TaskId: '704225667',
  ObjectPath: 'http://example.com/a.txt',
  ObjectType: 'file',
  Status: 'Complete',
  Process: '100%',
  CreationTime: '2014-11-27T08:23:22Z',
};
const page = (tasks: unknown) => ({ Tasks: tasks, PageNumber: 1, PageSize: 50, TotalCount: 1, RequestId: 'R' });

describe('normalizePage', () => {
  it.each([
    ['Tasks missing', page(undefined), 0],
    ['Tasks empty string', page(''), 0],
    ['Tasks empty object', page({}), 0],
    ['Task empty array', page({ Task: [] }), 0],
    ['Task a single object', page({ Task: row }), 1],
    ['Task an array', page({ Task: [row, { ...row, TaskId: '2' }] }), 2],
  ])('reads %s', (_n, body, n) => {
    expect(normalizePage(body).tasks).toHaveLength(n);
  });

  it('reads null-prototype objects as pop-core returns them', () => {
    const r = Object.assign(Object.create(null), row);
    const tasks = Object.assign(Object.create(null), { Task: [r] });
    const body = Object.assign(Object.create(null), page(tasks));
    const out = normalizePage(body);
    expect(out.tasks[0]).toMatchObject({ taskId: '704225667', status: 'Complete', createdAtMs: Date.parse('2014-11-27T08:23:22Z') });
  });

  it('reads numbers as strings and BigNumber-like ids', () => {
    const big = { toFixed: () => '12345678901234567890' };
    const out = normalizePage({ ...page({ Task: [{ ...row, TaskId: big }] }), TotalCount: '1', PageNumber: '1', PageSize: '50' });
    expect(out.tasks[0]!.taskId).toBe('12345678901234567890');
    expect(out.totalCount).toBe(1);
  });

  it('keeps unknown statuses verbatim and a missing Description as null', () => {
    const t = normalizeTask({ ...row, Status: 'Queued', Description: '' });
    expect(t).toMatchObject({ status: 'Queued', description: null });
  });

  it('skips a row without a TaskId and says why', () => {
    const out = normalizePage(page({ Task: [row, { ...row, TaskId: undefined }, null] }));
    expect(out.tasks).toHaveLength(1);
    expect(out.skipped).toHaveLength(2);
    expect(out.skipped[0]).toMatch(/TaskId/);
  });

  it.each([
    ['no TotalCount', { Tasks: { Task: [row] }, PageNumber: 1, PageSize: 50 }],
    ['a string body', 'oops'],
    ['null', null],
    ['TotalCount negative', { ...page({ Task: [] }), TotalCount: -1 }],
  ])('refuses a page with %s as MalformedResponse', (_n, body) => {
    expect(() => normalizePage(body)).toThrow(VodError);
    try {
      normalizePage(body);
    } catch (e) {
      expect((e as VodError).code).toBe('MalformedResponse');
    }
  });

  it('bounds a 10 KB ObjectPath but keeps two long paths distinct', () => {
    const a = normalizeTask({ ...row, ObjectPath: `http://x/${'a'.repeat(10_000)}` });
    const b = normalizeTask({ ...row, ObjectPath: `http://x/${'a'.repeat(9_999)}b` });
    expect(typeof a).toBe('object');
    expect((a as { objectPath: string }).objectPath.length).toBeLessThanOrEqual(MAX_PATH_CHARS);
    expect((a as { objectPath: string }).objectPath).not.toBe((b as { objectPath: string }).objectPath);
  });

  it('never throws on arbitrary rows, and every kept task has a TaskId and bounded fields (property)', () => {
    const anyRow = fc.oneof(
      fc.anything(),
      fc.record({
        TaskId: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
        ObjectPath: fc.oneof(fc.string({ maxLength: 5000 }), fc.integer(), fc.constant(null)),
        Status: fc.oneof(fc.constantFrom('Complete', 'Failed', 'Refreshing', 'Pending'), fc.string()),
        CreationTime: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
          fc.string(),
        ),
        Description: fc.oneof(fc.string(), fc.constant(undefined)),
      }),
    );
    fc.assert(
      fc.property(fc.array(anyRow, { maxLength: 60 }), (rows) => {
        const out = normalizePage({ Tasks: { Task: rows }, PageNumber: 1, PageSize: 50, TotalCount: rows.length });
        expect(out.tasks.length + out.skipped.length).toBe(rows.length);
        for (const t of out.tasks) {
          expect(t.taskId.length).toBeGreaterThan(0);
          expect(t.objectPath.length).toBeLessThanOrEqual(MAX_PATH_CHARS);
          expect(t.createdAtMs === null || Number.isFinite(t.createdAtMs)).toBe(true);
        }
      }),
    );
  });
});

import fc from 'fast-check';
import { addHistory, addRow, emptyHistory } from '../../../lib/decide/ledger/history';
import type { RefreshTask } from '../../../lib/vod/types';

const row = (description: string | null, objectType = 'file'): RefreshTask => ({
  taskId: '1',
  objectPath: 'http://v.example.com/a.mp4',
  objectType,
  status: 'Failed',
  process: '',
  creationTime: null,
  createdAtMs: null,
  description,
});

describe('a first run history: failures counted, not listed', () => {
  it('addRow counts by Description (or "No description") and by type, over the span of their creation times', () => {
    const h = emptyHistory();
    addRow(h, row('Origin Timeout'), 300);
    addRow(h, row('Origin Timeout', 'directory'), 100);
    addRow(h, row(null), 200);
    expect(h).toEqual({ count: 3, byDescription: { 'Origin Timeout': 2, 'No description': 1 }, byType: { file: 2, directory: 1 }, sinceMs: 100, untilMs: 300 });
  });

  it('addHistory adds one count into another; an empty one changes nothing, not even the span', () => {
    const a = emptyHistory();
    addRow(a, row('Origin Timeout'), 200);
    const b = emptyHistory();
    addRow(b, row('Origin Timeout'), 100);
    addRow(b, row('Internal Error', 'directory'), 400);
    addHistory(a, b);
    expect(a).toEqual({ count: 3, byDescription: { 'Origin Timeout': 2, 'Internal Error': 1 }, byType: { file: 2, directory: 1 }, sinceMs: 100, untilMs: 400 });
    const empty = { ...emptyHistory(), sinceMs: 0, untilMs: 1000 };
    addHistory(a, empty);
    expect(a).toMatchObject({ count: 3, sinceMs: 100, untilMs: 400 });
  });

  it('(property) adding two counts is counting their rows into one', () => {
    const rows = fc.array(fc.tuple(fc.constantFrom('Origin Timeout', null), fc.constantFrom('file', 'directory'), fc.nat(1000)), { maxLength: 10 });
    fc.assert(
      fc.property(rows, rows, (xs, ys) => {
        const one = emptyHistory();
        for (const [d, t, at] of [...xs, ...ys]) addRow(one, row(d, t), at);
        const a = emptyHistory();
        const b = emptyHistory();
        for (const [d, t, at] of xs) addRow(a, row(d, t), at);
        for (const [d, t, at] of ys) addRow(b, row(d, t), at);
        addHistory(a, b);
        expect(a).toEqual(one);
      }),
    );
  });
});

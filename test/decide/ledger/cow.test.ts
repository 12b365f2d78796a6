import fc from 'fast-check';
import { CowDict } from '../../../lib/decide/ledger/cow';

// Keys are API text (ObjectPaths): the names an object has of its own count as keys like any other.
const KEY = fc.constantFrom('a', 'b', 'http://v.example.com/a.mp4', '__proto__', 'constructor', 'toString', 'hasOwnProperty');
const OP = fc.oneof(fc.record({ op: fc.constant('set' as const), key: KEY, value: fc.integer() }), fc.record({ op: fc.constant('delete' as const), key: KEY }));
/** A dictionary as the state's JSON gives it (JSON.parse makes `__proto__` an own key). */
const START = fc.dictionary(KEY, fc.integer()).map((d) => JSON.parse(JSON.stringify(d)) as Record<string, number>);

describe('CowDict: a copy made on the first change, the given dictionary never changed', () => {
  it('property: any sets and deletes read back as a Map would, and the dictionary given is left as it was', () => {
    fc.assert(
      fc.property(START, fc.array(OP, { maxLength: 12 }), (start, ops) => {
        const before = JSON.stringify(start);
        const model = new Map(Object.entries(start));
        const d = new CowDict(start);
        for (const o of ops) {
          if (o.op === 'set') {
            d.set(o.key, o.value);
            model.set(o.key, o.value);
          } else expect(d.delete(o.key)).toBe(model.delete(o.key));
        }
        expect(JSON.stringify(start)).toBe(before);
        expect(Object.keys(start).sort()).toEqual(Object.keys(JSON.parse(before)).sort());
        expect(new Map(d.entries())).toEqual(model);
        for (const k of ['a', 'b', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
          expect(d.get(k)).toBe(model.get(k));
          expect(d.has(k)).toBe(model.has(k));
        }
        // Nothing changed (no set, no delete of a key it held): the very object given.
        const changed = ops.some((o) => o.op === 'set') || ops.some((o) => o.op === 'delete' && Object.hasOwn(start, o.key));
        if (!changed) expect(d.value()).toBe(start);
        else expect(d.value()).not.toBe(start);
      }),
    );
  });

  it('a change is made on the copy: the given dictionary, shared with the state read, keeps its keys', () => {
    const start: Record<string, number> = { a: 1 };
    const d = new CowDict(start);
    d.set('b', 2);
    d.delete('a');
    expect(start).toEqual({ a: 1 });
    expect(Object.fromEntries(d.entries())).toEqual({ b: 2 });
  });
});

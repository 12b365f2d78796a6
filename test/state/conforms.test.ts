import fc from 'fast-check';
import * as v from 'valibot';
import { conforms } from '../../lib/state/conforms';
import { failedPathSchema, watchedRowSchema } from '../../lib/state/schema';

// The in-place check must say what valibot says of the same value: the schema stays the one source of truth.
const field = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined), fc.boolean(), fc.constant({}));
const watched = fc.record(
  {
    task: fc.oneof(
      fc.record(
        { taskId: field, objectPath: field, objectType: field, status: field, description: field, creationTime: field, domain: field },
        { requiredKeys: [] },
      ),
      field,
    ),
    createdAtMs: field,
    firstSeenMs: field,
    checkedAtMs: field,
    stuckAtMs: field,
    extra: field,
  },
  { requiredKeys: [] },
);
const validWatched = fc.record({
  task: fc.record({
    taskId: fc.string(),
    objectPath: fc.string(),
    objectType: fc.string(),
    status: fc.string(),
    description: fc.option(fc.string(), { nil: null }),
    creationTime: fc.option(fc.string(), { nil: null }),
    domain: fc.string(),
  }),
  createdAtMs: fc.integer(),
  firstSeenMs: fc.integer(),
  checkedAtMs: fc.integer(),
  stuckAtMs: fc.option(fc.integer(), { nil: undefined }),
});
const validFailed = fc.record({
  key: fc.string(),
  taskId: fc.string(),
  objectType: fc.string(),
  createdAtMs: fc.integer(),
  description: fc.option(fc.string(), { nil: null }),
  checkedToMs: fc.integer(),
});
const failed = fc.record({ key: field, taskId: field, objectType: field, createdAtMs: field, description: field, checkedToMs: field }, { requiredKeys: [] });

describe('conforms: the ledger entries checked in place, as valibot checks them', () => {
  it.each([
    ['a watched row', watchedRowSchema, fc.oneof(watched, validWatched)],
    ['a failed URL', failedPathSchema, fc.oneof(failed, validFailed)],
  ] as const)('%s: accepted exactly when valibot accepts it, and then equal to what valibot outputs (property)', (_name, schema, arb) => {
    let accepted = 0;
    fc.assert(
      fc.property(arb, (value) => {
        const parsed = v.safeParse(schema as v.GenericSchema, structuredClone(value));
        const copy = structuredClone(value);
        const problem = conforms(schema, copy);
        expect(problem === null).toBe(parsed.success);
        if (parsed.success) accepted++;
        if (parsed.success) expect(copy).toEqual(parsed.output);
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('names where an entry is wrong', () => {
    expect(conforms(watchedRowSchema, { task: { taskId: 7 } }, 'watching.k')).toBe('watching.k.task.taskId: must be a string');
  });
});

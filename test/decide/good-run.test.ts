import { type GoodRunFacts, isGoodRun, whyNotGood } from '../../lib/decide/good-run';

const run = (over: Partial<GoodRunFacts> = {}, read: Partial<GoodRunFacts['read']> = {}, alerts: GoodRunFacts['alerts'] = {}): GoodRunFacts => ({
  dryRun: false,
  status: 'ok',
  read: { status: 'complete', ...read },
  alerts,
  ...over,
});

describe('a good run: it read the API and could deliver', () => {
  it.each<[string, GoodRunFacts, string | null]>([
    ['a complete read', run(), null],
    ['a partial read (the rest is left to the next run)', run({}, { status: 'partial' }), null],
    ['a dry run', run({ dryRun: true }), 'dry-run'],
    ['the API down', run({ status: 'degraded' }, { status: 'down', error: { code: 'Forbidden.RAM', message: 'no' } }), 'api-down'],
    ['skipped by the lock', run({ status: 'skipped', reason: 'another run holds the state lock' }, { status: 'none' }), 'nothing-read'],
    ['a duplicate event', run({ status: 'duplicate', reason: 'already handled' }, { status: 'none' }), 'nothing-read'],
    ['a state it cannot use', run({ status: 'failed', reason: 'cannot read' }, { status: 'none' }), 'nothing-read'],
    ['a robot that stopped delivery', run({ status: 'degraded' }, {}, { error: { code: '310000', reason: 'keywords not in content' } }), 'undelivered'],
  ])('%s', (_name, facts, kind) => {
    expect(whyNotGood(facts)?.kind ?? null).toBe(kind);
    expect(isGoodRun(facts)).toBe(kind === null);
  });

  it('says why in words that name what happened', () => {
    expect(whyNotGood(run({ status: 'skipped', reason: 'another run holds the state lock' }, { status: 'none' }))?.why).toBe(
      'another run holds the state lock',
    );
    expect(whyNotGood(run({}, { status: 'down', error: { code: 'Forbidden.RAM', message: 'no right' } }))?.why).toBe(
      'the VOD API could not be read (Forbidden.RAM: no right)',
    );
    expect(whyNotGood(run({}, {}, { error: { receiver: 'team-a', code: '310000', reason: 'bad keyword' } }))?.why).toBe(
      'the robot of team-a stopped delivery (310000: bad keyword)',
    );
  });
});

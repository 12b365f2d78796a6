// docs/configuration.md keeps its word: its table holds every variable the configuration accepts, and no other,
// each with the default the schema applies.
import { variableDocs } from '../../lib/config';
import { doc, section } from './markdown';
import { defaultProblem, variableTable } from './variables';

const TABLE = variableTable(section(doc('docs/configuration.md'), 'Every variable'));

describe('docs/configuration.md', () => {
  it('documents every variable the configuration accepts, and no other', () => {
    expect([...TABLE.keys()].sort()).toEqual(
      variableDocs()
        .map((v) => v.name)
        .sort(),
    );
  });

  it('gives each variable the default the schema applies', () => {
    expect([...TABLE].map(([name, cell]) => defaultProblem(name, cell)).filter(Boolean)).toEqual([]);
  });

  it('notices a wrong default, in figures or in words', () => {
    expect(defaultProblem('STUCK_AFTER_MINUTES', '`31`')).toMatch(/the default is `30`/);
    expect(defaultProblem('ALERT_CHANNEL', '`wecom`')).toMatch(/the default is dingtalk/);
    expect(defaultProblem('NO_SUCH_VARIABLE', '`1`')).toMatch(/not a variable/);
  });
});

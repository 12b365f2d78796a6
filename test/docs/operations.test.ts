// docs/operations.md keeps its word: what its tables say each error code does is what the code does with it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { classifyDingTalkReply } from '../../lib/notify/dingtalk';
import { isRetryableCode } from '../../lib/vod/errors';
import { codesOf, doc, ROOT, section, tableRows } from './markdown';

const OPS = doc('docs/operations.md');
const FAILS = tableRows(section(OPS, 'When DingTalk or VOD fails'));
const TROUBLE = tableRows(section(OPS, 'Troubleshooting'));

/** `430101`-`430104` as every errcode between them; other codes as they are. */
function errcodes(cell: string): number[] {
  const out: number[] = [];
  for (const m of cell.matchAll(/`(-?\d+)`(?:-`(\d+)`)?/g)) {
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let n = from; n <= to; n++) out.push(n);
  }
  return out;
}

/** How the delivery code treats an errcode, as the behaviour column of the table words it. */
function kindSaid(behaviour: string): string {
  if (/^retried/.test(behaviour)) return 'retryable';
  if (/^stop sending/.test(behaviour)) return 'rate-limited';
  if (/^not retried/.test(behaviour)) return 'config';
  if (/isolated/.test(behaviour)) return 'content';
  throw new Error(`the behaviour "${behaviour}" names no way of delivery`);
}

/** A VOD code of the table as the API sends it: `Throttling*` stands for `Throttling` and `Throttling.User`. */
const spellings = (code: string) => (code.endsWith('*') ? [code.slice(0, -1), `${code.slice(0, -1)}.User`] : [code]);

/** Every string literal of lib/, so that a code the docs call ours is one some module produces. */
function literalsOfLib(): Set<string> {
  const out = new Set<string>();
  for (const file of ts.sys.readDirectory(path.join(ROOT, 'lib'), ['.ts'])) {
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    const visit = (n: ts.Node) => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.add(n.text);
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return out;
}

describe('docs/operations.md, "When DingTalk or VOD fails"', () => {
  const vod = FAILS.filter(([failure]) => failure!.startsWith('VOD ') && codesOf(failure!).length > 0);
  const ding = FAILS.filter(([failure]) => failure!.startsWith('DingTalk ') && errcodes(failure!).length > 0);

  it('reads the VOD and DingTalk rows', () => {
    expect({ vod: vod.length, ding: ding.length }).toEqual({ vod: 2, ding: 4 });
  });

  it.each(vod.map(([failure, behaviour]) => [codesOf(failure!).join(', '), behaviour!]))('VOD %s: retried as the table says', (codes, behaviour) => {
    const retried = /^retried/.test(behaviour);
    for (const code of codes.split(', ').flatMap(spellings)) expect(`${code}: ${isRetryableCode(code)}`).toBe(`${code}: ${retried}`);
  });

  it.each(ding.map(([failure, behaviour]) => [errcodes(failure!).join(', '), behaviour!]))('DingTalk %s: classified as the table says', (codes, behaviour) => {
    const kind = kindSaid(behaviour);
    for (const code of codes.split(', ').map(Number)) {
      const r = classifyDingTalkReply(200, { errcode: code, errmsg: 'x' });
      expect(`${code}: ${r.ok ? 'ok' : r.kind}`).toBe(`${code}: ${kind}`);
    }
  });
});

describe('docs/operations.md, "Troubleshooting"', () => {
  it('every code it gives as ours is one the code produces', () => {
    const literals = literalsOfLib();
    const ours = TROUBLE.filter(([, from]) => from!.startsWith('us')).flatMap(([code]) => codesOf(code!));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.filter((c) => !literals.has(c))).toEqual([]);
  });

  it('every DingTalk errcode it explains is one the delivery code knows (not taken for an unknown refusal)', () => {
    const codes = TROUBLE.filter(([, from]) => from === 'DingTalk').flatMap(([code]) => errcodes(code!));
    expect(codes.length).toBeGreaterThan(10);
    const unknown = codes.filter((code) => {
      const r = classifyDingTalkReply(200, { errcode: code, errmsg: 'x' });
      return !r.ok && r.reason.startsWith('DingTalk refused the message:');
    });
    expect(unknown).toEqual([]);
  });
});

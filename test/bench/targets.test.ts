// Issue 24: `npm run bench` fails only on ratios or counts measured in the same run, never on an absolute time (a
// loaded machine must not fail it while every ratio holds). A row's `met` never compares a wall time with a constant.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const BENCH = path.resolve(__dirname, '../../bench');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
  );

it('no row of the benchmark is met or missed on a wall-clock time', () => {
  const absolute = sources(BENCH).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => ({ file: path.relative(BENCH, file), n: i + 1, line: line.trim() }))
      .filter(({ line }) => /\bmet:/.test(line) && /\b(wallMs|durationMs|elapsedMs|ms)\s*[<>]=?\s*[\d_]+/.test(line)),
  );
  expect(absolute).toEqual([]);
});

it('finds the bench rows it checks', () => {
  expect(sources(BENCH).filter((f) => readFileSync(f, 'utf8').includes('met:')).length).toBeGreaterThan(5);
});

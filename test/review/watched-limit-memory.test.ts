// Review: the watched set is the state's largest part. A run of the built handler with MAX_WATCHED rows watched (a
// campaign of merged 2,000-URL ids still Refreshing), under the NODE_OPTIONS s.yaml deploys, must stay under 75% of
// the monitor's memorySize in s.yaml: Function Compute stops a run that goes past it.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deployedNodeOptions, rssLimitMb } from '../../bench/deployed';
import { MAX_WATCHED } from '../../lib/decide/ledger';
import { rowKey } from '../../lib/identity';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

function runChild(w: World, timeoutSec: number): Promise<{ report?: Record<string, unknown>; error?: string; peakRss: number }> {
  const child = spawn(
    process.execPath,
    [path.resolve(__dirname, '../../bench/child-run.js'), JSON.stringify({ env: w.env, credentials: FC_CREDENTIALS, timeoutSec })],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: deployedNodeOptions() },
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => child.on('exit', () => (out ? resolve(JSON.parse(out)) : reject(new Error('the child run printed nothing')))));
}

it(`a run with MAX_WATCHED (${MAX_WATCHED}) watched rows stays under ${rssLimitMb()} MB peak RSS with the deployed heap limits`, async () => {
  world = await startWorld();
  await world.run();
  const now = world.clock.now();
  const created = now - 20 * MIN;
  const watching: Record<string, unknown> = {};
  for (let k = 0; k * 2000 < MAX_WATCHED; k++) {
    const urls = Array.from({ length: 2000 }, (_, i) => `http://video.example.com/campaign-2026-11/show-${k}/1080p/segment-${String(i).padStart(5, '0')}.ts`);
    const { rows } = world.vod.store.submit({ urls, kind: 'file', atMs: created + k * 1000 });
    for (const r of rows)
      watching[rowKey(r.TaskId, r.ObjectPath)] = {
        task: {
          taskId: r.TaskId,
          objectPath: r.ObjectPath,
          objectType: 'file',
          status: 'Refreshing',
          description: null,
          creationTime: r.CreationTime,
          domain: 'video.example.com',
        },
        createdAtMs: created + k * 1000,
        firstSeenMs: created + 2 * MIN,
        checkedAtMs: now - 5 * MIN,
      };
  }
  expect(Object.keys(watching)).toHaveLength(MAX_WATCHED);
  const state = JSON.parse(readFileSync(world.stateFile, 'utf8'));
  state.watching = watching;
  state.frontierMs = Math.floor((now - 5 * MIN) / 1000) * 1000;
  writeFileSync(world.stateFile, JSON.stringify(state));
  const { report, error, peakRss } = await runChild(world, 120);
  expect(error).toBeUndefined();
  expect(report?.status).toBeDefined();
  expect(Math.round(peakRss / 1024 / 1024)).toBeLessThan(rssLimitMb());
}, 300_000);

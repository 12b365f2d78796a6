// Alerts per run: how many messages, and how large, for 1, 50 and 500 new failures of merged task ids.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDingTalkSim } from '../../sim/dingtalk/server';
import { startVodSim } from '../../sim/vod/server';
import { CREDS, childRun, log, MIN, type Row } from '../harness';

export async function alerts(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of [1, 50, 500]) {
    log(`alerts for ${n} new failures...`);
    let offset = 0;
    const now = () => Date.now() + offset;
    const sim = await startVodSim({ accounts: [CREDS], now });
    const ding = await startDingTalkSim({ now, robots: [{ accessToken: 'bench', keywords: ['VOD'] }] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vrm-alerts-'));
    const env = {
      VOD_ENDPOINT: sim.url,
      DINGTALK_WEBHOOK: ding.webhook('bench'),
      DINGTALK_KEYWORDS: 'VOD',
      STATE_FILE: path.join(dir, 's.json'),
      VOD_REQUESTS_PER_SECOND: '100',
    };
    await childRun(env, 120, offset);
    offset += 5 * MIN;
    sim.store.submit({ urls: Array.from({ length: n }, (_, i) => `http://d${i % 5}.example.com/v/${i}.mp4`), kind: 'file', atMs: now() - MIN });
    for (const r of sim.store.all())
      sim.store.updateRow(r.TaskId, r.ObjectPath, {
        Status: 'Failed',
        Description: ['Origin Timeout', 'Internal Error', 'Origin Return StatusCode 5XX'][Number(r.ObjectPath.split('/').pop()!.split('.')[0]) % 3]!,
      });
    const r = await childRun(env, 120, offset);
    const maxBytes = Math.max(...ding.accepted.map((m) => m.bytes));
    rows.push({
      group: 'alerts per run (URLs submitted in one call: merged task ids)',
      figure: `${n} new failures: messages (largest body in bytes)`,
      value: ding.accepted.length,
      unit: `msg (${maxBytes} B)`,
      target: n < 50 ? '1 message' : '<= 20 messages, each <= 20,000 B',
      met: n < 50 ? ding.accepted.length === 1 : ding.accepted.length <= 20 && maxBytes <= 20_000 && r.report?.alerts.pending === 0,
    });
    await sim.close();
    await ding.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

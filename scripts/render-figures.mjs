// Times one render of N new failures in one message (the outbox of a run after an origin outage), as the monitor
// renders it for DingTalk: `node scripts/render-figures.mjs [repo root] [sizes...]`, e.g.
// `node scripts/render-figures.mjs . 1000 10000 50000`. The root may be another checkout, to compare two versions.
// The failures are spread over 20 domains (RENDER_DOMAINS=5000 spreads them wider: then even the counts need several
// messages).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(process.argv[2] ?? '.');
const domains = Number(process.env.RENDER_DOMAINS ?? 20);
const sizes = (process.argv.length > 3 ? process.argv.slice(3) : ['1000', '10000', '50000']).map(Number);
const out = await build({
  stdin: {
    contents: "export { renderMessages } from './lib/notify/render'; export { bodyBytes } from './lib/notify/dingtalk';",
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  write: false,
  platform: 'node',
  format: 'cjs',
  logLevel: 'warning',
});
const dir = mkdtempSync(path.join(os.tmpdir(), 'vrm-render-'));
try {
  const file = path.join(dir, 'render.js');
  writeFileSync(file, out.outputFiles[0].text);
  const { renderMessages, bodyBytes } = createRequire(import.meta.url)(file);
  const opts = {
    monitorName: 'VOD refresh',
    keywords: ['VOD'],
    mentions: { atMobiles: ['13800000000'], atUserIds: [], atAllMinFailures: 0 },
    maxBodyBytes: 20_000,
    stuckAfterMinutes: 30,
  };
  const descriptions = ['Origin Timeout', 'Internal Error', 'Origin Return StatusCode 5XX'];
  const events = (n) =>
    Array.from({ length: n }, (_, i) => ({
      kind: 'failed',
      key: `failed:${i}`,
      task: {
        taskId: String(700000000 + Math.floor(i / 200)),
        objectPath: `http://d${i % domains}.example.com/series/s${i % 7}/episode-${i}/index.m3u8`,
        objectType: i % 5 === 0 ? 'preload' : 'file',
        status: 'Failed',
        description: descriptions[i % 3],
        creationTime: '2026-11-28T04:00:00Z',
        domain: `d${i % domains}.example.com`,
      },
    }));
  console.log(`root: ${root}; ${domains} domains`);
  console.log('failures  render ms  ms per 1,000  measure calls  messages  listed  bytes');
  let first = null;
  let last = null;
  for (const n of sizes) {
    const list = events(n);
    let calls = 0;
    const measure = (m) => {
      calls++;
      return bodyBytes(m);
    };
    const t0 = process.hrtime.bigint();
    const messages = renderMessages(list, opts, measure);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const listed = messages.reduce((s, m) => s + m.keys.length - m.unlisted, 0);
    const bytes = Math.max(...messages.map((m) => bodyBytes(m)));
    first ??= ms / n;
    last = ms / n;
    console.log(
      `${String(n).padStart(8)}  ${ms.toFixed(0).padStart(9)}  ${((ms / n) * 1000).toFixed(1).padStart(12)}  ${String(calls).padStart(13)}  ${String(messages.length).padStart(8)}  ${String(listed).padStart(6)}  ${bytes}`,
    );
  }
  console.log(`time per failure at ${sizes.at(-1)} over that at ${sizes[0]}: ${(last / first).toFixed(2)} (1 is linear)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

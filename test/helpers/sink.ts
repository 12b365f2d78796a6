import { Writable } from 'node:stream';
import { createLogger } from '../../lib/log';

/** A pino destination that keeps every line, for asserting on logs (pino's own test/helper.js `sink()`). */
export function logSink(redact?: (line: string) => string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(l);
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: stream, ...(redact ? { redact } : {}) });
  return {
    stream,
    logger,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}

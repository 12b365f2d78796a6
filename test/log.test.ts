import fc from 'fast-check';
import { ConfigError } from '../lib/config';
import { serializeError } from '../lib/log';
import { makeRedactor } from '../lib/redact';
import { logSink } from './helpers/sink';

function fsError(): NodeJS.ErrnoException {
  return Object.assign(new Error("EISDIR: illegal operation on a directory, read '/mnt/vod-refresh-monitor/state.json'"), {
    code: 'EISDIR',
    errno: -21,
    syscall: 'read',
  });
}

describe('serializeError: every logged error says what happened', () => {
  it('keeps name, message, code, stack, plain fields and the chain of causes', () => {
    const err = new Error('cannot read the state file (EISDIR)', { cause: fsError() });
    const s = serializeError(err);
    expect(s).toMatchObject({
      name: 'Error',
      message: 'cannot read the state file (EISDIR)',
      stack: expect.stringContaining('test/log.test.ts'),
      cause: { name: 'Error', code: 'EISDIR', errno: -21, syscall: 'read', message: expect.stringContaining('EISDIR'), stack: expect.any(String) },
    });
  });

  it('keeps a numeric code and the problems of a ConfigError', () => {
    expect(serializeError(Object.assign(new Error('robot refused'), { code: 310000 }))).toMatchObject({ code: 310000 });
    expect(serializeError(new ConfigError(['DINGTALK_WEBHOOK: is required']))).toMatchObject({
      name: 'ConfigError',
      problems: ['DINGTALK_WEBHOOK: is required'],
    });
  });

  it('gives the same fields when an error is serialized twice (a field serialized by hand, then by the logger)', () => {
    const err = fsError();
    const once = serializeError(err);
    expect(serializeError(once)).toEqual(once);
    expect(JSON.stringify(serializeError(once))).not.toContain('[object Object]');
  });

  it.each([
    [
      { code: 'EIO', message: 'i/o error' },
      { code: 'EIO', message: 'i/o error' },
    ],
    [
      { errcode: 310000, errmsg: 'keywords not in content' },
      { errcode: 310000, errmsg: 'keywords not in content', message: '{"errcode":310000,"errmsg":"keywords not in content"}' },
    ],
    ['a string', { message: 'a string' }],
    [undefined, { message: 'undefined' }],
    [null, { message: 'null' }],
  ])('keeps what a thrown non-Error holds: %j', (thrown, expected) => {
    expect(serializeError(thrown)).toEqual(expected);
  });

  it('never says [object Object], whatever was thrown (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        const s = serializeError(thrown);
        expect(typeof s.message).toBe('string');
        expect(s.message).not.toBe('[object Object]');
      }),
    );
  });

  it('through the logger, as the handler logs a failed run: message, code and stack on one line, secrets masked', () => {
    const secret = 'SECsigning-secret-0123456789';
    const sink = logSink(makeRedactor([secret]));
    const err = Object.assign(new Error(`robot refused the signature for ${secret}`), { code: 'DingTalkRefused' });
    sink.logger.error({ event: 'run-failed', err }, 'run failed');
    sink.logger.error({ event: 'delivery-failed', err: serializeError(err) }, 'delivery failed');
    for (const line of sink.records()) {
      expect(line.err).toMatchObject({
        message: 'robot refused the signature for ***',
        code: 'DingTalkRefused',
        stack: expect.stringContaining('test/log.test.ts'),
      });
    }
    expect(sink.text()).not.toContain(secret);
    expect(sink.text()).not.toContain('[object Object]');
  });
});

import fc from 'fast-check';
import { encodings, envSecrets, isPlaceholder, makeRedactor, redactUrl, urlSecrets } from '../lib/redact';

const ROBOT = 'https://oapi.dingtalk.com/robot/send';
const README_HINT = `DINGTALK_WEBHOOK: has no access_token; use the robot webhook, ${ROBOT}?access_token=...`;

/** Secrets as they come: letters, digits and the punctuation tokens and keys hold (`+/=` of base64, `-_.~`, `%&?`). */
const secretChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_.~%&?:@!'.split(''));
const secret = (min: number, max: number) =>
  fc
    .array(secretChar, { minLength: min, maxLength: max })
    .map((cs) => cs.join(''))
    .filter((s) => !isPlaceholder(s));
const text = fc.string({ unit: 'binary', maxLength: 80 });

describe('the redactor', () => {
  it('masks a secret wherever it appears, in every encoding (property)', () => {
    fc.assert(
      fc.property(secret(8, 40), text, text, fc.integer({ min: 0, max: 6 }), (s, before, after, which) => {
        const e = encodings(s)[which]!;
        const out = makeRedactor([s])(`${before}${e}${after}`);
        for (const form of encodings(s)) expect(out).not.toContain(form);
      }),
      { numRuns: 500 },
    );
  });

  it('masks a short secret (4 to 7 characters) where it stands as a word, in every encoding (property)', () => {
    const edge = fc.constantFrom(' ', '"', '=', '&', ':', '/', ',', '(', ')');
    fc.assert(
      fc.property(secret(4, 7), fc.integer({ min: 0, max: 6 }), edge, edge, (s, which, l, r) => {
        const e = encodings(s)[which]!;
        const out = makeRedactor([s])(`token${l}${e}${r}end`);
        expect(out).not.toContain(e);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a text that holds no secret unchanged: placeholders, and short tokens inside longer words, included (property)', () => {
    const placeholder = fc.constantFrom('...', '…', '******', '<token>', 'YOUR_TOKEN', '${TOKEN}', 'xxxx');
    const mixed = (secrets: string[]) =>
      fc
        .array(
          fc.oneof(
            text,
            placeholder.map((p) => `${ROBOT}?access_token=${p}`),
            fc.constantFrom(...secrets, 'x').map((s) => (s.length < 8 ? `7${s}1` : s.slice(1))),
          ),
          { maxLength: 5 },
        )
        .map((parts) => parts.join(' '));
    const word = (v: string) => new RegExp(`(?<![A-Za-z0-9])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`);
    const holds = (t: string, s: string) => encodings(s).some((e) => (e.length >= 8 ? t.includes(e) : word(e).test(t)));
    fc.assert(
      fc.property(
        fc.array(secret(4, 30), { minLength: 1, maxLength: 3 }).chain((secrets) => fc.tuple(fc.constant(secrets), mixed(secrets))),
        ([secrets, t]) => {
          fc.pre(!secrets.some((s) => holds(t, s)) && !/[?&](?:Signature|SecurityToken|AccessKeyId|auth_key|sign|key|timestamp)=/i.test(t));
          expect(makeRedactor(secrets)(t)).toBe(t);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never masks an error code or a number that holds a short token', () => {
    const redact = makeRedactor(['0000']);
    expect(redact('DingTalk answered errcode 300001 (token is not exist)')).toBe('DingTalk answered errcode 300001 (token is not exist)');
    expect(redact('TaskId 700000084 failed')).toBe('TaskId 700000084 failed');
    expect(redact('the token 0000 was refused')).toBe('the token *** was refused');
    expect(redact(`${ROBOT}?access_token=0000`)).toBe(`${ROBOT}?access_token=***`);
  });

  it("never masks the README's placeholders, set as the webhook or quoted in a message", () => {
    for (const webhook of [`${ROBOT}?access_token=...`, `${ROBOT}?access_token=`, ROBOT]) {
      const redact = makeRedactor(envSecrets({ DINGTALK_WEBHOOK: webhook }));
      expect(redact(README_HINT)).toBe(README_HINT);
      expect(redact('use the robot webhook, ******')).toBe('use the robot webhook, ******');
    }
    expect(redactUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...')).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...');
    expect(redactUrl('...?access_token=<token>&sign=${SIGN}')).toBe('...?access_token=<token>&sign=${SIGN}');
    expect(urlSecrets([`${ROBOT}?access_token=...`, `${ROBOT}?access_token=YOUR_TOKEN`])).toEqual([]);
  });

  it('still masks a real webhook and its token next to the placeholder that names the form', () => {
    const real = `${ROBOT}?access_token=4f6c9e0b1d2a3c5e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6`;
    const redact = makeRedactor(envSecrets({ DINGTALK_WEBHOOK: real }));
    const out = redact(`cannot post to ${real} (${encodeURIComponent(real)}); ${README_HINT}`);
    expect(out).not.toContain('4f6c9e0b1d2a3c5e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6');
    expect(out).toContain(README_HINT);
  });
});

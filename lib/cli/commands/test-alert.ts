import type { Config } from '../../config';
import { notifierFor } from '../../notify/channels';
import type { SendResult } from '../../notify/notifier';
import { markdownToTerminal } from '../format';
import { channelName, ringsOf, testAlertMessage, unsignedHint, webhookVariable } from '../messages';
import { EXIT, type ExitCode } from '../printer';
import type { CommonOptions, Session } from '../session';

/** Options of `test-alert`. */
export interface TestAlertOptions extends CommonOptions {
  readonly preview?: boolean;
  readonly ring?: boolean;
}

/** What the robot's refusal means, and its exit code: its own refusal is 1, not reaching it (or it failing) is 3. */
function refusal(config: Config, r: Exclude<SendResult, { ok: true }>): { code: ExitCode; text: string } {
  const who = channelName(config);
  const variable = webhookVariable(config);
  switch (r.kind) {
    case 'timeout':
      return {
        code: EXIT.remote,
        text: `${who} did not answer in time: ${r.reason}. Check the group before sending again; check ${variable} and the network.`,
      };
    case 'retryable':
      return {
        code: EXIT.remote,
        text: `${who} could not be reached or is failing: ${r.reason}. Check ${variable} and this machine's network (a proxy or firewall?), then try again.`,
      };
    case 'rate-limited':
      return { code: EXIT.problem, text: `${who} refused the test alert (${r.code}): ${r.reason}. Wait 10 minutes; the monitor queues alerts meanwhile.` };
    case 'content':
      return { code: EXIT.problem, text: `${who} refused the test alert's content (${r.code}): ${r.reason}.` };
    default:
      return { code: EXIT.problem, text: `${who} refused the test alert (${r.code}): ${r.reason}.${unsignedHint(config, r.code)}` };
  }
}

/** Sends a sample alert labelled as a test (or only prints it with --preview) and explains the robot's answer. */
export async function testAlertCommand(s: Session, o: TestAlertOptions): Promise<ExitCode> {
  const config = s.config();
  const notifier = notifierFor(config.alert, s.now);
  const message = testAlertMessage(config, notifier, s.now(), Boolean(o.ring));
  const rings = o.ring ? `rings ${ringsOf(config)}` : 'rings nobody (add --ring to ring whom real alerts ring)';
  if (o.preview) {
    s.print.out(
      `Preview, not sent (${channelName(config)}, ${notifier.measure(message)} bytes; ${rings}):\n\ntitle: ${message.title}\n\n${markdownToTerminal(message.text)}`,
    );
    return EXIT.ok;
  }
  const result = await notifier.send(message, config.alert.timeoutMs);
  if (result.ok) {
    s.print.out(`${channelName(config)} accepted the test alert. Look in the group for "${message.title}"; it ${rings}.`);
    return EXIT.ok;
  }
  const r = refusal(config, result);
  s.print.out(r.text);
  return r.code;
}

// The "wait again" command is pasted into a shell: whatever the URLs hold (`?`, `&`, `;`, quotes, `$`), the shell
// must read back exactly the task ids and URLs of the wait, word for word.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { waitAgainCommand } from '../../../lib/cli/wait/report';

/** The words a POSIX shell reads from `command`, after `npx vod-refresh-monitor wait`. */
function shellWords(command: string): string[] {
  const args = command.replace(/^npx vod-refresh-monitor wait /, '');
  const out = execFileSync('sh', ['-c', `for w in ${args}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

// The characters checkUrl lets through (no whitespace), with those a shell reads specially over-represented.
const pathChar = fc.oneof(fc.constantFrom(...'?&;|<>()$`\'"\\*[]{}!#~=%,+@:'), fc.stringMatching(/^[A-Za-z0-9._/-]$/));
const url = fc.array(pathChar, { maxLength: 30 }).map((cs) => `https://video.example.com/${cs.join('')}`);
const taskId = fc.stringMatching(/^\d{1,20}$/);

it('reads back, in a shell, as exactly the task ids and URLs of the wait', () => {
  fc.assert(
    fc.property(fc.uniqueArray(taskId, { maxLength: 3 }), fc.uniqueArray(url, { minLength: 1, maxLength: 3 }), (taskIds, urls) => {
      const command = waitAgainCommand({ taskIds, urls })!;
      const expected = [...(taskIds.length ? ['--task-id', taskIds.join(',')] : []), ...urls];
      expect(shellWords(command)).toEqual(expected);
    }),
    { numRuns: 60 },
  );
});

it('is none when the wait had nothing to follow again', () => {
  expect(waitAgainCommand({ taskIds: [], urls: [] })).toBeNull();
});

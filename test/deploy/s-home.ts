// A HOME for the real `s` in tests. `s` starts a detached update check (lib/daemon/update-cli.js, which asks the npm
// registry for its latest version and writes HOME/.s/config) when its last check is missing or old: it would outlive
// the test and re-create the folder after it was removed. A check dated now keeps it from starting; CI=true keeps
// `s` from starting its usage report. TMPDIR is the test's own, so that what `s` leaves there is found and removed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Makes `home` a HOME in which `s` starts no background process; the variables to run `s` with. */
export function quietSHome(home: string): { HOME: string; CI: string; TMPDIR: string } {
  mkdirSync(path.join(home, '.s', 'config'), { recursive: true });
  writeFileSync(path.join(home, '.s', 'config', 'update-notifier.json'), JSON.stringify({ lastUpdateCheck: Date.now() }));
  return { HOME: home, CI: 'true', TMPDIR: tmpdir() };
}

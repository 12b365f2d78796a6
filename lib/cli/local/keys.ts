/** What a key typed at `local` asks for. */
export type LocalAction = 'fail' | 'hang' | 'recover' | 'merged' | 'run' | 'help' | 'quit';

/** The keys, in the order the help lists them: key, action, what it does. */
export const KEYS: ReadonlyArray<readonly [string, LocalAction, string]> = [
  ['f', 'fail', 'fail a new URL now (domains in turn)'],
  ['h', 'hang', 'hang a new URL (told stuck later)'],
  ['r', 'recover', 'recover the last failure'],
  ['m', 'merged', 'a merged batch: 40 URLs under one task id, 3 failing'],
  ['t', 'run', 'run the monitor now (by hand, as from the console)'],
  ['?', 'help', 'these keys'],
  ['q', 'quit', 'stop'],
];

/** The action of a key typed at a terminal, or of a word piped in (`fail`, `hang` …); Ctrl-C quits; null for the rest. */
export function keyAction(key: string): LocalAction | null {
  const k = key.trim().toLowerCase();
  if (key === '\u0003' || key === '\u0004') return 'quit';
  for (const [letter, action] of KEYS) if (k === letter || k === action) return action;
  return null;
}

/** One line of help: `f fail a new URL now, h …`. */
export function keysHelp(): string {
  return KEYS.map(([k, , what]) => `${k} ${what}`).join('; ');
}

/** What failed when the state could not be read or written: the operation, the file and the file system's code. */
export interface StateIo {
  readonly op: 'read' | 'write' | 'lock';
  readonly file: string;
  readonly errno: string;
}

/** Why a state document was refused, or could not be read or written. */
export class StateError extends Error {
  constructor(
    readonly code: 'StateCorrupt' | 'StateVersionUnknown' | 'StateIo',
    message: string,
    options?: { cause?: unknown; io?: StateIo },
  ) {
    super(message, options);
    this.name = 'StateError';
    this.io = options?.io ?? null;
  }

  /** For `StateIo`: what failed, where. */
  readonly io: StateIo | null;
}

/** What to check for a file-system error on the state, in words on-call can act on. */
export function ioAdvice(io: StateIo): string {
  const perm = io.op === 'read' ? 'oss:GetObject' : 'oss:PutObject and oss:DeleteObject';
  switch (io.errno) {
    case 'EACCES':
    case 'EPERM':
      return `the function may not ${io.op === 'read' ? 'read' : 'write'} there: the role needs ${perm} on the bucket (deploy/ram-policy.json), and the mount must not be read-only (ossMountConfig in s.yaml)`;
    case 'EROFS':
      return 'the mount is read-only: set readOnly: false in ossMountConfig (s.yaml)';
    case 'EISDIR':
      return `a folder is where the state file should be: STATE_FILE must name a file, not ${io.file}`;
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk or the mount is full: free space (or raise the quota) where STATE_FILE points';
    case 'ENOTDIR':
    case 'EEXIST':
      return `a file stands where a folder of ${io.file} should be: STATE_FILE must lie in a folder (on Function Compute, inside the OSS mount's mountDir)`;
    case 'LOCK_UNREADABLE':
      return `something that is not a file the monitor can read stands at ${io.file} (a dangling symbolic link?): delete it`;
    case 'ENOENT':
      return 'the folder is missing: check that the OSS mount is configured (ossMountConfig in s.yaml) and STATE_FILE lies inside mountDir';
    default:
      return `the mount failed (${io.errno}): check the OSS mount (ossMountConfig in s.yaml), the bucket and its region, and the role's ${perm}`;
  }
}

/** A StateIo error: its message names the operation, the file, the code and what to check. */
export function stateIoError(op: StateIo['op'], file: string, errno: string, what?: string): StateError {
  const io = { op, file, errno };
  const verb = op === 'read' ? 'read' : op === 'lock' ? 'take the lock beside' : 'write';
  return new StateError('StateIo', `${what ?? `cannot ${verb} ${file}`} (${errno}): ${ioAdvice(io)}`, { io });
}

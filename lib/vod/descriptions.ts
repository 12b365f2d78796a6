/** The failure classes on-call sees first (VOD documents these three; expect others too); anything else is grouped under its own text. */
export const KNOWN_DESCRIPTIONS = ['Origin Timeout', 'Origin Return StatusCode 5XX', 'Internal Error'] as const;

/** The group a failure falls in: its Description, or "No description". */
export function failureClass(description: string | null): string {
  return description ?? 'No description';
}

import type { Row } from '../harness';

export async function caps(): Promise<Row[]> {
  return [];
}

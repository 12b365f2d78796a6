import type { Row } from '../harness';

export async function alertTime(): Promise<Row[]> {
  return [];
}

import type { Row } from '../harness';

export async function memory(): Promise<Row[]> {
  return [];
}

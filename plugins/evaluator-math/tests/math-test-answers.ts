import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const BUNDLED = new URL('../../../packages/data/datasets/math_test_5000.jsonl.gz', import.meta.url);
const SHARED = '/work/shared/data/math/math_test_5000.jsonl';

/**
 * The gold answers (`answer_last_boxed`) of the 5,000 MATH test problems, from the copy bundled in packages/data
 * (or the shared data folder when the bundle is absent). Read as a file so the plugin does not depend on
 * @confide/data.
 */
export function mathTestAnswers(): string[] {
  const text = existsSync(BUNDLED) ? gunzipSync(readFileSync(BUNDLED)).toString('utf8') : readFileSync(SHARED, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { answer_last_boxed: string | null }).answer_last_boxed)
    .filter((answer): answer is string => answer !== null);
}

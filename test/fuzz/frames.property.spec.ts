import { after, before, describe, it } from 'node:test';
import {
  assertHeapsBack,
  FUZZ_PROPERTIES,
  fuzzSeed,
  HEAP_TOLERANCE,
  heaps,
  mib,
  replayPath,
  selected,
  startFuzzEnvironment,
  warmUp,
  type FuzzEnvironment,
} from './fuzz.environment.js';

/**
 * Property tests with fast-check against live apps, each in its own process:
 * in memory, and two instances on a real redis-server. A CI-sized number of
 * cases per property (the test names say how many; `npm run fuzz` runs
 * 100,000). The seed is random unless FUZZ_SEED is set, and printed; a
 * failure says how to repeat it. Nothing is timed: the assertions are on
 * answers, close codes, error logs and heap sizes.
 */
const seed = fuzzSeed();

describe('fuzzing live apps with fast-check', () => {
  let environment: FuzzEnvironment;
  let baseline: number[];

  before(async () => {
    environment = await startFuzzEnvironment();
    await warmUp(environment, seed + 1);
    baseline = await heaps(environment.apps);
  });
  after(() => environment?.stop());

  for (const property of FUZZ_PROPERTIES.filter(selected)) {
    it(`${property.title} (${property.ciRuns} cases, CI size; npm run fuzz runs 100,000)`, async t => {
      t.diagnostic(`seed ${seed} (repeat with FUZZ_SEED=${seed})`);
      t.diagnostic(await property.run(environment, { name: property.name, runs: property.ciRuns, seed, path: replayPath(property) }));
    });
  }

  it(`leaves every instance's heap and Buffers, after a full collection, within ${mib(HEAP_TOLERANCE)} MiB of its baseline`, async t => {
    t.diagnostic(`heap and Buffers after gc, baseline → after: ${await assertHeapsBack(environment.apps, baseline)}`);
  });
});

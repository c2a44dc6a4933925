/**
 * The property tests of `test/fuzz/frames.property.spec.ts` at full size,
 * outside `npm test`: `npm run fuzz` runs 100,000 cases in all (FUZZ_RUNS),
 * shared among the properties, against the same live apps (in memory, and two
 * instances on a real redis-server). The properties run side by side, each on
 * its own apps; a batch connection serves 25 cases, and the bystander and
 * the error logs are checked every 10 cases (FUZZ_REUSE, FUZZ_EVERY; 1 and 1
 * blame a failure on its own case, as `npm test` does).
 *
 * The seed is printed; FUZZ_SEED repeats a run, and a failure prints the
 * FUZZ_ONLY, FUZZ_SEED and FUZZ_PATH that replay its shrunk counterexample.
 */
import {
  assertHeapsBack,
  FUZZ_PROPERTIES,
  fuzzSeed,
  heaps,
  replayPath,
  selected,
  startFuzzEnvironment,
  warmUp,
} from './fuzz.environment.js';

const total = Number(process.env.FUZZ_RUNS ?? 100_000);
const reuse = Number(process.env.FUZZ_REUSE ?? 25);
const checkEvery = Number(process.env.FUZZ_EVERY ?? 10);
const seed = fuzzSeed();
const properties = FUZZ_PROPERTIES.filter(selected);
const share = properties.reduce((sum, property) => sum + property.share, 0);

console.log(`npm run fuzz: ${total} cases, seed ${seed} (repeat with FUZZ_SEED=${seed})`);
const environment = await startFuzzEnvironment();
const started = performance.now();
try {
  await warmUp(environment, seed + 1);
  const baseline = await heaps(environment.apps);
  const outcomes = await Promise.allSettled(
    properties.map(async property => {
      const runs = Math.round((total * property.share) / share);
      const path = replayPath(property);
      const line = await property.run(environment, { name: property.name, runs, seed, path, reuse: path ? 1 : reuse, checkEvery: path ? 1 : checkEvery });
      console.log(`${property.name}: ${runs} cases passed: ${line}`);
    }),
  );
  const failures = outcomes.flatMap(outcome => (outcome.status === 'rejected' ? [outcome.reason] : []));
  if (failures.length > 0) throw new AggregateError(failures, failures.map(failure => (failure as Error).message).join('\n\n'));
  console.log(`heap and Buffers after gc, baseline → after: ${await assertHeapsBack(environment.apps, baseline)}`);
  console.log(`npm run fuzz passed: ${total} cases in ${Math.round((performance.now() - started) / 1000)} s (seed ${seed})`);
} catch (error) {
  console.error(`npm run fuzz FAILED (seed ${seed}):\n`, error);
  process.exitCode = 1;
} finally {
  await environment.stop();
}

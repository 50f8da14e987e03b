/**
 * Vitest setup: every fast-check property runs from one seed, so a run is reproducible and any
 * failure replays. The seed is fixed unless `FC_SEED` names another (`FC_SEED=random` draws a
 * fresh one and prints it); fast-check's failure reports name the seed to replay with.
 */
import fc from 'fast-check';

const FIXED_SEED = 20261126;

const asked = process.env.FC_SEED;
let seed = FIXED_SEED;
if (asked === 'random') {
  seed = (Math.random() * 2 ** 31) | 0;
  console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);
} else if (asked !== undefined && asked !== '') {
  seed = Number(asked);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or 'random', got '${asked}'`);
}
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

import type { Peer } from '../peers.js';
import type { Table } from '../table.js';

/** What every suite receives: the TF.js backends that initialised. */
export interface SuiteContext {
  peers: Peer[];
}

/** A benchmark suite: measures tsgrad and each peer, returns its tables. */
export type Suite = (ctx: SuiteContext) => Promise<Table[]>;

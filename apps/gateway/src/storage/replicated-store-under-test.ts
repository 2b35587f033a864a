/**
 * A store under test in a contract suite whose tests also use the store
 * through a second replica (bootstrap tokens, clusters), and what the suite
 * needs beside it.
 */
export interface ReplicatedStoreUnderTest<Store extends { close(): Promise<void> }> {
  /** The store; reopen() replaces it. */
  store: Store;
  /** Closes the store and opens another on the same data, as a restarted gateway would. */
  reopen(): Promise<void>;
  /** Another store on the same data, on connections of its own: a second replica (closed by dispose()). */
  replica(): Promise<Store>;
  /** Closes the stores and frees whatever was opened for them. */
  dispose(): Promise<void>;
}

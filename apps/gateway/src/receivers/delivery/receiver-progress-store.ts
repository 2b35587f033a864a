/**
 * Injection token of where receivers keep their progress: the durable cursor
 * each delivery loop resumes from (SQLite, <dataDir>/receivers.db; or the
 * PostgreSQL database the replicas share).
 */
export const RECEIVER_PROGRESS_STORE = Symbol('ReceiverProgressStore');

/** How far one receiver has got through the notification store. */
export interface ReceiverProgress {
  /**
   * The last notification-store seq this receiver is done with: delivered
   * (2xx), filtered out, or given up on (a failed delivery). Delivery resumes after it.
   */
  cursor: bigint;
  /** Notifications delivered, ever. */
  delivered: number;
  /** Notifications given up on, ever (the JSON views' and metrics' "dead-lettered"; the column dead_lettered). */
  undeliverable: number;
  /** The last 2xx answer. */
  lastSuccessAt?: Date;
}

/**
 * A delivery given up on (a batch after maxAttempts rejections, or one notification the
 * target refused): kept so an operator can see (and replay) what was not delivered. Not the
 * agent's DeadLetter (a notification the gateway refused); stored in receiver_dead_letter.
 */
export interface FailedDelivery {
  fromSeq: bigint;
  toSeq: bigint;
  /** The (cluster, id) of every notification in the batch. */
  notifications: { clusterId: string; id: string }[];
  /** The receiver's last answer; undefined after a network error or timeout. */
  status?: number;
  error: string;
  at: Date;
}

/**
 * Saves may carry the epoch of the delivery lease (DELIVERY_LEASES) the saver
 * holds on the receiver: a store shared by replicas then refuses the save with
 * LeaseLostError once another replica took the receiver over (fencing). A
 * store of one gateway may ignore it.
 */
export interface ReceiverProgressStore {
  /** The receiver's progress; undefined when it has none yet (a new receiver). */
  load(receiver: string): Promise<ReceiverProgress | undefined>;
  /** Saves the receiver's progress; resolves once it is durable. */
  save(receiver: string, progress: ReceiverProgress, leaseEpoch?: bigint): Promise<void>;
  /** Records a failed delivery together with the progress past it, atomically and durably. */
  recordFailedDelivery(
    receiver: string,
    failure: FailedDelivery,
    progress: ReceiverProgress,
    leaseEpoch?: bigint,
  ): Promise<void>;
  /** The receiver's failed deliveries, oldest first. */
  failedDeliveries(receiver: string): Promise<FailedDelivery[]>;
  close(): Promise<void>;
}

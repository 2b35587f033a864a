/**
 * Injection token of where receivers keep their progress: the durable cursor
 * each delivery loop resumes from (SQLite today, <dataDir>/receivers.db;
 * NATS KV when the gateway runs replicated).
 */
export const RECEIVER_PROGRESS_STORE = Symbol('ReceiverProgressStore');

/** How far one receiver has got through the notification store. */
export interface ReceiverProgress {
  /**
   * The last notification-store seq this receiver is done with: delivered
   * (2xx), filtered out, or dead-lettered. Delivery resumes after it.
   */
  cursor: bigint;
  /** Notifications delivered, ever. */
  delivered: number;
  /** Notifications dead-lettered, ever. */
  deadLettered: number;
  /** The last 2xx answer. */
  lastSuccessAt?: Date;
}

/** A batch given up on after maxAttempts rejections: kept so an operator can see (and replay) what was not delivered. */
export interface DeadLetter {
  fromSeq: bigint;
  toSeq: bigint;
  /** The (cluster, id) of every notification in the batch. */
  notifications: { clusterId: string; id: string }[];
  /** The receiver's last answer; undefined after a network error or timeout. */
  status?: number;
  error: string;
  at: Date;
}

export interface ReceiverProgressStore {
  /** The receiver's progress; undefined when it has none yet (a new receiver). */
  load(receiver: string): Promise<ReceiverProgress | undefined>;
  /** Saves the receiver's progress; resolves once it is durable. */
  save(receiver: string, progress: ReceiverProgress): Promise<void>;
  /** Records a dead-lettered batch together with the progress past it, atomically and durably. */
  deadLetter(receiver: string, letter: DeadLetter, progress: ReceiverProgress): Promise<void>;
  /** The receiver's dead letters, oldest first. */
  deadLetters(receiver: string): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

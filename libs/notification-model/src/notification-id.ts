import { v7 as uuidv7 } from 'uuid';

/**
 * A new notification id: a UUIDv7, which starts with the time in ms. Ids
 * made later sort later, so the gateway's (cluster, id) deduplication index
 * grows at its end instead of being written all over: with random (v4)
 * ids each stored notification dirtied a page of its own there, and storing
 * cost about three times as much (see bench/README.md, Drain).
 */
export function newNotificationId(): string {
  return uuidv7();
}

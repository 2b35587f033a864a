export { SkipList } from './skiplist/skiplist.js';
export type { Comparator, SkipListConstructorOptions } from './skiplist/skiplist.js';
export { MAX_LEVEL } from './core/skip-pool.js';
export type { SkipListOptions } from './core/skip-pool.js';
export { PriorityQueue, PRIORITY_MAX, PRIORITY_MIN, SEQ_LIMIT } from './priority-queue/priority-queue.js';
export type { PriorityQueueEntry, PriorityQueueOptions } from './priority-queue/priority-queue.js';

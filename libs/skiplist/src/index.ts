export { SkipList } from './skiplist.js';
export type { Comparator, SkipListConstructorOptions } from './skiplist.js';
export { MAX_LEVEL } from './core.js';
export type { SkipListOptions } from './core.js';
export { PriorityQueue, PRIORITY_MAX, PRIORITY_MIN, SEQ_LIMIT } from './priority-queue.js';
export type { PriorityQueueEntry, PriorityQueueOptions } from './priority-queue.js';

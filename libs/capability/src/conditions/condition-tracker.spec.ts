import { ConditionTracker } from './condition-tracker.js';

describe('ConditionTracker', () => {
  let now = 1_000;
  const clock = { now: () => now };
  let tracker: ConditionTracker;
  let changes: number;

  beforeEach(() => {
    now = 1_000;
    tracker = new ConditionTracker(clock);
    changes = 0;
    tracker.onChange(() => changes++);
  });

  it('is ready with no conditions, and not ready with one', () => {
    expect(tracker.ready).toBe(true);
    expect(tracker.conditions()).toEqual([]);
    tracker.set('Backend', 'Disabled');
    expect(tracker.ready).toBe(false);
    expect(tracker.conditions()).toEqual(['Backend Disabled']);
  });

  it('renders "<Key> <Status>" sorted, one status per key', () => {
    tracker.set('Config Sync', 'Pending');
    tracker.set('Backend', 'Disabled');
    tracker.set('Config Sync', 'Failure');
    expect(tracker.conditions()).toEqual(['Backend Disabled', 'Config Sync Failure']);
  });

  it('records when the conditions last changed, and notifies only on changes', () => {
    now = 2_000;
    tracker.set('Backend', 'Disabled');
    now = 3_000;
    tracker.set('Backend', 'Disabled'); // unchanged
    tracker.clear('Config Sync'); // was not set
    expect(changes).toBe(1);
    expect(tracker.lastChange).toEqual(new Date(2_000));
    now = 4_000;
    tracker.update('Backend', undefined);
    expect(changes).toBe(2);
    expect(tracker.lastChange).toEqual(new Date(4_000));
    expect(tracker.ready).toBe(true);
  });

  it('stops notifying a listener that unsubscribed', () => {
    let heard = 0;
    const unsubscribe = tracker.onChange(() => heard++);
    tracker.set('Backend', 'Pending');
    unsubscribe();
    tracker.set('Backend', 'Failure');
    expect(heard).toBe(1);
    expect(changes).toBe(2);
  });
});

import { GOLDEN_SIGNAL_NAMES, SEVERITY_NAMES, type GoldenSignalName, type SeverityName } from '@app/notification-model';
import { GOLDEN_SIGNALS, SEVERITIES, type GoldenSignal, type Severity } from './notifications.js';

/** true when A and B are the same type; a mismatch fails the typecheck at the assignments below. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('@app/admin-api names', () => {
  it('are the notification model names, in the same order', () => {
    const severities: Same<Severity, SeverityName> = true;
    const signals: Same<GoldenSignal, GoldenSignalName> = true;
    expect([severities, signals]).toEqual([true, true]);
    expect(SEVERITIES).toEqual(SEVERITY_NAMES);
    expect(GOLDEN_SIGNALS).toEqual(GOLDEN_SIGNAL_NAMES);
  });
});

import type { HealthView } from '@app/admin-api';
import { healthSummary } from '../src/clusters/health-summary.js';

const health = (change: Partial<HealthView>): HealthView => ({
  ready: true,
  conditions: [],
  annotations: { 'queue.evicted': '0', 'queue.rejected': '0', 'queue.deadLettered': '0', 'queue.corrupt': '0' },
  timestamp: undefined,
  ...change,
});

describe('healthSummary', () => {
  it('ready with nothing lost: green "Ready"', () => {
    expect(healthSummary(health({}))).toEqual({ tone: 'ok', text: 'Ready' });
  });

  it('alerting not installed is neutral, in words, not "Backend Disabled" in red', () => {
    expect(healthSummary(health({ ready: false, conditions: ['Backend Disabled'] }))).toEqual({
      tone: 'neutral',
      text: 'Alerting not installed',
    });
  });

  it('a pending condition is amber; a failure is red and outranks the others', () => {
    expect(healthSummary(health({ ready: false, conditions: ['Config Sync Pending'] })).tone).toBe('warn');
    expect(healthSummary(health({ ready: false, conditions: ['Backend Disabled', 'Config Sync Failure'] }))).toEqual({
      tone: 'bad',
      text: 'Alerting not installed; Config Sync Failure',
    });
  });

  it('losses (evicted, rejected, dead-lettered, corrupt) are red even when ready, and named', () => {
    const lossy = health({
      annotations: { ...health({}).annotations, 'queue.evicted': '3', 'queue.deadLettered': '1' },
    });
    expect(healthSummary(lossy)).toEqual({ tone: 'bad', text: 'Ready; 3 evicted; 1 deadLettered' });
  });
});

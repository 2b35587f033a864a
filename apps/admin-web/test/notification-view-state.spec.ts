import {
  byIdPath,
  countsPath,
  DEFAULT_VIEW_STATE,
  listPath,
  viewStateFrom,
  viewStateSearch,
} from '../src/notifications/notification-view-state.js';

describe('notification view state (the address) and the API paths it asks for', () => {
  const state = {
    ...DEFAULT_VIEW_STATE,
    cluster: 'prod eu',
    text: 'disk full',
    dedupeKey: 'dk/1',
    order: 'severity' as const,
    notification: 'n/1',
  };

  it('keeps text, dedupe key, order and the open notification in the address', () => {
    expect(viewStateSearch(state)).toBe(
      'cluster=prod+eu&q=disk+full&dedupeKey=dk%2F1&order=severity&notification=n%2F1',
    );
    expect(viewStateFrom(viewStateSearch(state))).toEqual(state);
  });

  it('sends text as q, the dedupe key and the order to the gateway; the counts take no order', () => {
    expect(listPath(state, 50)).toBe(
      '/api/v1/notifications?cluster=prod+eu&q=disk+full&dedupeKey=dk%2F1&order=severity&limit=50',
    );
    expect(countsPath(state)).toBe('/api/v1/notifications/counts?cluster=prod+eu&q=disk+full&dedupeKey=dk%2F1');
    expect(listPath({ ...DEFAULT_VIEW_STATE, text: '"*:()' }, 50)).toBe('/api/v1/notifications?limit=50');
  });

  it('opens a notification by id, in the cluster of the view', () => {
    expect(byIdPath(state)).toBe('/api/v1/notifications/n%2F1?cluster=prod+eu');
    expect(byIdPath({ ...DEFAULT_VIEW_STATE, notification: 'n-2' })).toBe('/api/v1/notifications/n-2');
  });
});

import { loadSettings, settingsTable } from '@app/runtime';
import { readmeSection } from '@app/testing';
import { GatewaySettings } from './gateway-settings.js';

describe('GatewaySettings', () => {
  it('starts with valid defaults when nothing is set', () => {
    expect(() => loadSettings(GatewaySettings, { argv: [], env: {} })).not.toThrow();
  });

  it('is documented in the README exactly as declared', () => {
    expect(readmeSection('settings:gateway')).toBe(settingsTable(GatewaySettings));
  });
});

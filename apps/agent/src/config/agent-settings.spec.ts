import { loadSettings, settingsTable } from '@app/runtime';
import { readmeSection } from '@app/testing';
import { AgentSettings } from './agent-settings.js';

describe('AgentSettings', () => {
  it('starts with valid defaults when nothing is set', () => {
    expect(() => loadSettings(AgentSettings, { argv: [], env: {} })).not.toThrow();
  });

  it('is documented in the README exactly as declared', () => {
    expect(readmeSection('settings:agent')).toBe(settingsTable(AgentSettings));
  });
});

import { loadSettings, settingsTable } from '@app/runtime';
import { docSection } from '@app/testing';
import { AgentSettings } from './agent-settings.js';

describe('AgentSettings', () => {
  it('starts with valid defaults when nothing is set', () => {
    expect(() => loadSettings(AgentSettings, { argv: [], env: {} })).not.toThrow();
  });

  it('is documented in docs/configuration.md exactly as declared', () => {
    expect(docSection('docs/configuration.md', 'settings:agent')).toBe(settingsTable(AgentSettings));
  });
});

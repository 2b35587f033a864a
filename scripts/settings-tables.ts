// Rewrites the settings tables in README.md from the settings classes
// (npm run docs:settings); a spec per app fails when they drift apart.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsTable } from '@app/runtime';
import { AgentSettings } from '../apps/agent/src/config/agent-settings.js';
import { GatewaySettings } from '../apps/gateway/src/config/gateway-settings.js';

const tables = { 'settings:gateway': GatewaySettings, 'settings:agent': AgentSettings };
let readme = readFileSync('README.md', 'utf8');
for (const [name, settingsClass] of Object.entries(tables)) {
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  readme = `${readme.slice(0, from + start.length)}\n${settingsTable(settingsClass)}\n${readme.slice(to)}`;
}
writeFileSync('README.md', readme);
console.log(`README.md: ${Object.keys(tables).join(', ')} rewritten`);

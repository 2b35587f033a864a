// Rewrites the settings tables in docs/configuration.md from the settings classes
// (npm run docs:settings); a spec per app fails when they drift apart.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsTable } from '@app/runtime';
import { AgentSettings } from '../apps/agent/src/config/agent-settings.js';
import { GatewaySettings } from '../apps/gateway/src/config/gateway-settings.js';

const DOCUMENT = 'docs/configuration.md';
const tables = { 'settings:gateway': GatewaySettings, 'settings:agent': AgentSettings };
let text = readFileSync(DOCUMENT, 'utf8');
for (const [name, settingsClass] of Object.entries(tables)) {
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${DOCUMENT} has no ${start} … ${end} section`);
  text = `${text.slice(0, from + start.length)}\n${settingsTable(settingsClass)}\n${text.slice(to)}`;
}
writeFileSync(DOCUMENT, text);
console.log(`${DOCUMENT}: ${Object.keys(tables).join(', ')} rewritten`);

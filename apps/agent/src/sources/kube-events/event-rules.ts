import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  GOLDEN_SIGNAL_NAMES,
  parseGoldenSignalName,
  parseSeverityName,
  SEVERITY_NAMES,
  type GoldenSignalName,
  type SeverityName,
} from '@app/notification-model';
import { DEFAULT_RULES } from './default-rules.js';
import type { KubeEvent } from './kube-event.js';

/** What a rule matches: every field given must match (a list: any of its values; `message`: a regular expression). */
export interface RuleMatch {
  namespace?: string[];
  kind?: string[];
  reason?: string[];
  type?: string[];
  message?: RegExp;
}

/** One rule: the first rule that matches an event decides; an event no rule matches keeps its mapped severity. */
export interface EventRule {
  name: string;
  match: RuleMatch;
  drop: boolean;
  severity?: SeverityName;
  goldenSignal?: GoldenSignalName;
}

/** The rules file as written (YAML or JSON). */
export interface RulesFile {
  /** Whether the shipped defaults apply after these rules (default true). */
  includeDefaults?: boolean;
  rules: RawRule[];
}

export interface RawRule {
  name: string;
  match: {
    namespace?: string | string[];
    kind?: string | string[];
    reason?: string | string[];
    type?: string | string[];
    message?: string;
  };
  drop?: boolean;
  severity?: string;
  goldenSignal?: string;
}

/** A rules file that cannot be used: the message names the file, the rule and the field. */
export class RulesError extends Error {
  override readonly name = 'RulesError';
}

const MATCH_KEYS = ['namespace', 'kind', 'reason', 'type', 'message'] as const;
const RULE_KEYS = ['name', 'match', 'drop', 'severity', 'goldenSignal'];

function list(value: unknown, where: string): string[] {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === ''))
    throw new RulesError(`${where}: must be a non-empty string or a list of them`);
  return values as string[];
}

/** Validates parsed rules; `origin` names the file in errors. */
export function compileRules(parsed: unknown, origin: string): EventRule[] {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RulesError(`${origin}: must be an object with a "rules" list`);
  const file = parsed as Record<string, unknown>;
  for (const key of Object.keys(file))
    if (key !== 'rules' && key !== 'includeDefaults')
      throw new RulesError(`${origin}: unknown key "${key}" (allowed: rules, includeDefaults)`);
  if (!Array.isArray(file.rules)) throw new RulesError(`${origin}: "rules" must be a list`);
  if (file.includeDefaults !== undefined && typeof file.includeDefaults !== 'boolean')
    throw new RulesError(`${origin}: includeDefaults must be true or false`);
  const names = new Set<string>();
  const rules = file.rules.map((raw: unknown, index): EventRule => {
    const at = `${origin}: rules[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RulesError(`${at}: must be an object`);
    const rule = raw as Record<string, unknown>;
    if (typeof rule.name !== 'string' || rule.name === '') throw new RulesError(`${at}: name is missing`);
    const where = `${origin}: rule "${rule.name}" (rules[${index}])`;
    if (names.has(rule.name)) throw new RulesError(`${where}: another rule has the same name`);
    names.add(rule.name);
    for (const key of Object.keys(rule))
      if (!RULE_KEYS.includes(key))
        throw new RulesError(`${where}: unknown key "${key}" (allowed: ${RULE_KEYS.join(', ')})`);
    const rawMatch = rule.match;
    if (
      typeof rawMatch !== 'object' ||
      rawMatch === null ||
      Array.isArray(rawMatch) ||
      Object.keys(rawMatch).length === 0
    )
      throw new RulesError(`${where}: match must be an object with at least one of ${MATCH_KEYS.join(', ')}`);
    const match: RuleMatch = {};
    for (const [key, value] of Object.entries(rawMatch)) {
      if (key === 'message') {
        if (typeof value !== 'string')
          throw new RulesError(`${where}: match.message must be a regular expression (a string)`);
        try {
          match.message = new RegExp(value);
        } catch (error) {
          throw new RulesError(`${where}: match.message: ${(error as Error).message}`);
        }
      } else if ((MATCH_KEYS as readonly string[]).includes(key)) {
        match[key as Exclude<(typeof MATCH_KEYS)[number], 'message'>] = list(value, `${where}: match.${key}`);
      } else {
        throw new RulesError(`${where}: unknown match key "${key}" (allowed: ${MATCH_KEYS.join(', ')})`);
      }
    }
    if (rule.drop !== undefined && typeof rule.drop !== 'boolean')
      throw new RulesError(`${where}: drop must be true or false`);
    let severity: SeverityName | undefined;
    if (rule.severity !== undefined) {
      severity = typeof rule.severity === 'string' ? parseSeverityName(rule.severity) : undefined;
      if (!severity)
        throw new RulesError(
          `${where}: severity ${JSON.stringify(rule.severity)} is not one of ${SEVERITY_NAMES.join(', ')}`,
        );
    }
    let goldenSignal: GoldenSignalName | undefined;
    if (rule.goldenSignal !== undefined) {
      goldenSignal = typeof rule.goldenSignal === 'string' ? parseGoldenSignalName(rule.goldenSignal) : undefined;
      if (!goldenSignal)
        throw new RulesError(
          `${where}: goldenSignal ${JSON.stringify(rule.goldenSignal)} is not one of ${GOLDEN_SIGNAL_NAMES.join(', ')}`,
        );
    }
    const drop = rule.drop === true;
    if (drop && (severity || goldenSignal))
      throw new RulesError(`${where}: a rule that drops cannot also set severity or goldenSignal`);
    if (!drop && !severity && !goldenSignal)
      throw new RulesError(`${where}: says nothing to do (give drop: true, severity or goldenSignal)`);
    return { name: rule.name, match, drop, severity, goldenSignal };
  });
  return file.includeDefaults === false ? rules : [...rules, ...shippedRules()];
}

/** The shipped defaults, compiled. */
export function shippedRules(): EventRule[] {
  return compileRules({ rules: DEFAULT_RULES, includeDefaults: false }, 'shipped default rules');
}

/** The rules of `path` (YAML or JSON; YAML is a superset), or the shipped defaults when `path` is empty. */
export function loadRules(path: string): EventRule[] {
  if (path === '') return shippedRules();
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RulesError(`${path}: cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(source);
  } catch (error) {
    throw new RulesError(`${path}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return compileRules(parsed, path);
}

const matches = (values: string[] | undefined, value: string) => values === undefined || values.includes(value);

/** The first rule that matches the event, if any. */
export function firstMatch(rules: readonly EventRule[], event: KubeEvent): EventRule | undefined {
  return rules.find(
    ({ match }) =>
      matches(match.namespace, event.regarding.namespace || event.namespace) &&
      matches(match.kind, event.regarding.kind) &&
      matches(match.reason, event.reason) &&
      matches(match.type, event.type) &&
      (match.message === undefined || match.message.test(event.note)),
  );
}

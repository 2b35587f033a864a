import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_NOTIFICATION_LIMITS } from '@app/notification-model';
import { newEvent, repoRoot } from '@app/testing';
import { DEFAULT_RULES } from './default-rules.js';
import { mapEvent } from './event-mapping.js';
import { compileRules, loadRules, RulesError, shippedRules } from './event-rules.js';
import { decodeEvent } from './kube-event.js';

const event = (spec: Parameters<typeof newEvent>[0]) => decodeEvent(newEvent(spec, 7), 'events.k8s.io/v1');

describe('event mapping', () => {
  const rules = shippedRules();

  it('maps a Warning to a Warning notification with title, body, properties, golden signal, id and dedupe key', () => {
    const e = event({
      namespace: 'payments',
      reason: 'BackOff',
      type: 'Warning',
      note: 'Back-off restarting failed container',
      regarding: { kind: 'Pod', name: 'api-7f9c', uid: 'pod-uid' },
    });
    const mapped = mapEvent(e, rules, DEFAULT_NOTIFICATION_LIMITS);
    if (mapped.dropped) throw new Error('dropped');
    expect(mapped.request.id).toBe(`k8s/${e.uid}/1`);
    expect(mapped.request.message).toMatchObject({
      title: 'BackOff: pod payments/api-7f9c',
      body: 'Back-off restarting failed container',
      properties: {
        opni_severity: 'Warning',
        opni_goldenSignal: 'Errors',
        opni_dedupe_key: 'k8s/pod-uid/BackOff',
        k8s_namespace: 'payments',
        k8s_kind: 'Pod',
        k8s_name: 'api-7f9c',
        k8s_uid: 'pod-uid',
        k8s_reason: 'BackOff',
        k8s_type: 'Warning',
        k8s_reporting_controller: 'kubelet',
        k8s_count: '1',
      },
    });
  });

  it('maps Normal to Info, and the shipped rules raise what wakes an SRE and drop routine chatter', () => {
    const severity = (spec: Parameters<typeof newEvent>[0]) => {
      const mapped = mapEvent(event(spec), rules, DEFAULT_NOTIFICATION_LIMITS);
      return mapped.dropped ? `dropped by ${mapped.rule}` : mapped.request.message!.properties.opni_severity;
    };
    expect(severity({ reason: 'Custom', type: 'Normal' })).toBe('Info');
    expect(severity({ reason: 'NodeNotReady', type: 'Normal', regarding: { kind: 'Node', name: 'w-3' } })).toBe(
      'Critical',
    );
    expect(severity({ reason: 'OOMKilling', type: 'Warning' })).toBe('Error');
    expect(severity({ reason: 'Evicted', type: 'Warning' })).toBe('Error');
    expect(severity({ reason: 'FailedMount', type: 'Warning' })).toBe('Error');
    expect(severity({ reason: 'Pulled', type: 'Normal' })).toBe('dropped by routine-normal-events');
    expect(severity({ reason: 'Pulled', type: 'Warning' })).toBe('Warning');
  });

  it('uses the series count in the id, so each repeat is a new id with the same dedupe key', () => {
    const raw = newEvent({ reason: 'BackOff', type: 'Warning', regarding: { kind: 'Pod', name: 'p', uid: 'u' } }, 9);
    raw.series = { count: 4, lastObservedTime: new Date().toISOString() };
    const mapped = mapEvent(decodeEvent(raw, 'events.k8s.io/v1'), rules, DEFAULT_NOTIFICATION_LIMITS);
    if (mapped.dropped) throw new Error('dropped');
    expect(mapped.request.id).toBe(`k8s/${raw.metadata.uid}/4`);
    expect(mapped.request.message!.properties.opni_dedupe_key).toBe('k8s/u/BackOff');
  });

  it('reads core/v1 events too', () => {
    const e = decodeEvent(
      {
        metadata: { uid: 'e1', name: 'x.1', namespace: 'ns' },
        involvedObject: { kind: 'Node', name: 'w-1', uid: 'n1' },
        reason: 'Rebooted',
        message: 'Node w-1 has been rebooted',
        type: 'Warning',
        count: 3,
        source: { component: 'kubelet', host: 'w-1' },
      },
      'v1',
    );
    const mapped = mapEvent(e, rules, DEFAULT_NOTIFICATION_LIMITS);
    if (mapped.dropped) throw new Error('dropped');
    expect(mapped.request.id).toBe('k8s/e1/3');
    expect(mapped.request.message).toMatchObject({
      title: 'Rebooted: node w-1',
      properties: { opni_severity: 'Error', k8s_reporting_controller: 'kubelet', k8s_reporting_instance: 'w-1' },
    });
  });
});

describe('rules file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kube-rules-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads YAML and JSON; its rules come first, then the shipped defaults unless includeDefaults is false', () => {
    const yaml = loadRules(
      file(
        'rules.yaml',
        'rules:\n  - name: quiet-batch\n    match: {namespace: batch}\n    drop: true\n  - name: payments-critical\n    match: {namespace: [payments], type: Warning, message: "^Back-off"}\n    severity: critical\n',
      ),
    );
    expect(yaml.map((r) => r.name)).toEqual(['quiet-batch', 'payments-critical', ...DEFAULT_RULES.map((r) => r.name)]);
    expect(yaml[1].severity).toBe('Critical');
    const json = loadRules(
      file(
        'rules.json',
        JSON.stringify({ includeDefaults: false, rules: [{ name: 'a', match: { reason: 'X' }, severity: 'Info' }] }),
      ),
    );
    expect(json.map((r) => r.name)).toEqual(['a']);
  });

  it.each([
    [
      'rules: [{name: a, match: {reason: X}, severity: Loud}]',
      'rule "a" (rules[0]): severity "Loud" is not one of Info, Warning, Error, Critical',
    ],
    [
      'rules: [{name: b, match: {message: "("}, drop: true}]',
      'rule "b" (rules[0]): match.message: Invalid regular expression',
    ],
    ['rules: [{name: c, match: {}, drop: true}]', 'rule "c" (rules[0]): match must be an object with at least one of'],
    ['rules: [{name: d, match: {colour: red}, drop: true}]', 'rule "d" (rules[0]): unknown match key "colour"'],
    ['rules: [{name: e, match: {reason: X}}]', 'rule "e" (rules[0]): says nothing to do'],
    [
      'rules: [{name: f, match: {reason: X}, drop: true, severity: Info}]',
      'rule "f" (rules[0]): a rule that drops cannot also set',
    ],
    [
      'rules: [{name: g, match: {reason: X}, drop: true}, {name: g, match: {reason: Y}, drop: true}]',
      'rule "g" (rules[1]): another rule has the same name',
    ],
    ['rules: [{match: {reason: X}, drop: true}]', 'rules[0]: name is missing'],
    [
      'rules: [{name: h, match: {reason: X}, goldenSignal: Loudness}]',
      'rule "h" (rules[0]): goldenSignal "Loudness" is not one of',
    ],
    ['rules: {', 'not valid YAML or JSON'],
    ['colour: red\nrules: []', 'unknown key "colour"'],
  ])('refuses %s naming the rule and field', (text, message) => {
    const path = file('bad.yaml', text);
    expect(() => loadRules(path)).toThrow(RulesError);
    expect(() => loadRules(path)).toThrow(`${path}: ${message}`);
  });

  it('ships deploy/kube-events-rules.yaml equal to the built-in defaults', () => {
    const shipped = parseYaml(readFileSync(join(repoRoot, 'deploy', 'kube-events-rules.yaml'), 'utf8')) as unknown;
    expect(shipped).toEqual({ includeDefaults: false, rules: DEFAULT_RULES });
    expect(() => compileRules(shipped, 'deploy/kube-events-rules.yaml')).not.toThrow();
  });
});

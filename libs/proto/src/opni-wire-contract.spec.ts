import {
  compareWithOpni,
  opniWireTable,
  ourWireDefinitions,
  docSection,
  type DeliberateDifference,
  type WireDefinition,
  type WireMessage,
} from '@app/testing';

// Our .proto files against the facts of rancher/opni's protos committed in
// libs/proto/opni/wire-table.json (scripts/opni-wire-table.mjs extracts them):
// a client built from opni's protos, at the revision the proposal was written
// against or at opni's latest, must read and write our messages unchanged.

/** Where ours differs from opni on purpose; docs/compatibility.md lists each. */
const DELIBERATE: DeliberateDifference[] = [
  {
    subject: 'capability.Backend.Status input',
    commit: 'a4916c088',
    why: 'ours declares the early StatusRequest and the gateway also accepts the later core.Reference (libs/proto/src/status-request.ts)',
  },
];

const table = opniWireTable();
const ours = ourWireDefinitions(table.packages);

describe('wire contract with opni', () => {
  it('has the facts of two opni revisions: one of early 2023 (the proposal) and the latest', () => {
    const [early, latest] = table.revisions;
    expect(table.revisions).toHaveLength(2);
    for (const revision of table.revisions) expect(revision.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(early.date >= '2023-01-01' && early.date < '2023-04-01').toBe(true);
    expect(latest.date > early.date).toBe(true);
    // The proposal's Status request, and opni's later one.
    expect(early.definitions['capability.StatusRequest']).toBeDefined();
    expect(latest.definitions['capability.Backend']).toMatchObject({
      methods: expect.arrayContaining([expect.objectContaining({ name: 'Status', input: 'core.Reference' })]),
    });
  });

  it.each(table.revisions.map((revision) => [revision.commit.slice(0, 9), revision] as const))(
    'ours keeps the numbers, types, wire types and labels of opni %s',
    (_commit, revision) => {
      expect(compareWithOpni(revision, ours, DELIBERATE)).toEqual([]);
      // Not vacuous: the shared definitions are those of the wire contract.
      expect(Object.keys(revision.definitions)).toEqual(
        expect.arrayContaining(['core.TaskStatus', 'core.LogEntry', 'core.StateTransition', 'capability.Backend']),
      );
    },
  );

  it('every deliberate difference is real, and is listed in docs/compatibility.md', () => {
    const compatibility = docSection('docs/compatibility.md', 'opni-compatibility');
    for (const difference of DELIBERATE) {
      const revision = table.revisions.find((r) => r.commit.startsWith(difference.commit))!;
      expect(compareWithOpni(revision, ours).some((problem) => problem.startsWith(difference.subject))).toBe(true);
      expect(compatibility).toContain(difference.subject.split(' ')[0]);
    }
  });

  describe('fails, naming the message and the field, when ours drifts', () => {
    const latest = table.revisions[1];
    const withMessage = (name: string, change: (message: WireMessage) => WireMessage) => {
      const changed = new Map<string, WireDefinition>(ours);
      changed.set(name, change(structuredClone(ours.get(name) as WireMessage)));
      return compareWithOpni(latest, changed, DELIBERATE);
    };

    it('on another number or wire type for a field (the old LogEntry, lastRevision as int64)', () => {
      const oldLogEntry = withMessage('core.LogEntry', (message) => ({
        ...message,
        fields: message.fields.map((field) => ({ ...field, number: { timestamp: 1, msg: 2, level: 3 }[field.name]! })),
      }));
      expect(oldLogEntry).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^core\.LogEntry field 1 \(msg\): .*string msg = 1 \(wire len\), ours .*Timestamp/),
          expect.stringMatching(/^core\.LogEntry field 2 \(level\): .*int32 level = 2 \(wire varint\), ours string/),
        ]),
      );
      const intRevision = withMessage('capability.NodeCapabilityStatus', (message) => ({
        ...message,
        fields: message.fields.map((field) =>
          field.number === 4 ? { ...field, kind: 'scalar', type: 'int64', wireType: 'varint' } : field,
        ),
      }));
      expect(intRevision).toEqual([
        expect.stringMatching(
          /^capability\.NodeCapabilityStatus field 4 \(lastRevision\): .*core\.Revision .* ours int64 .*\(kind, type, wireType differ\)$/,
        ),
      ]);
    });

    it('on a new field of ours with a number opni uses, or a map where opni repeats', () => {
      const reused = withMessage('core.ClusterMetadata', (message) => ({
        ...message,
        reserved: [],
        fields: [
          ...message.fields,
          { name: 'nickname', number: 4, kind: 'scalar', type: 'string', wireType: 'len', label: 'singular' },
        ],
      }));
      expect(reused).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^core\.ClusterMetadata field 4 \(lastKnownConnectionDetails\): /),
        ]),
      );
      const map = withMessage('core.Status', (message) => ({
        ...message,
        fields: message.fields.map((field) =>
          field.number === 3 ? { ...field, kind: 'map', type: 'map<string, string>' } : field,
        ),
      }));
      expect(map).toEqual([
        expect.stringMatching(/^core\.Status field 3 \(sessionAttributes\): .*\(kind, type differ\)$/),
      ]);
    });

    it('on an opni field neither kept nor reserved, and on a field moved to another number', () => {
      const unreserved = withMessage('core.ClusterMetadata', (message) => ({ ...message, reserved: [] }));
      expect(unreserved).toEqual([
        expect.stringMatching(/^core\.ClusterMetadata field 3 \(resourceVersion\): .* neither has nor reserves it$/),
        expect.stringMatching(/^core\.ClusterMetadata field 4 \(lastKnownConnectionDetails\): /),
        expect.stringMatching(/^core\.ClusterMetadata field 5 \(creationTimestamp\): /),
      ]);
      const moved = withMessage('core.StateTransition', (message) => ({
        ...message,
        fields: message.fields.map((field) => (field.name === 'timestamp' ? { ...field, number: 2 } : field)),
      }));
      expect(moved).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^core\.StateTransition field timestamp: opni \w+ numbers it 3, ours 2/),
        ]),
      );
    });

    it('on a definition of ours that takes an opni name the table does not describe', () => {
      const changed = new Map<string, WireDefinition>(ours);
      changed.set('core.LastKnownConnectionDetails', { kind: 'message', fields: [] });
      expect(compareWithOpni(latest, changed, DELIBERATE)).toEqual([
        expect.stringMatching(/^core\.LastKnownConnectionDetails: .*re-run scripts\/opni-wire-table\.mjs$/),
      ]);
    });
  });
});

import type {
  OpniRevision,
  WireDefinition,
  WireEnum,
  WireField,
  WireMessage,
  WireMethod,
  WireService,
} from './wire-table.js';

/**
 * A difference from opni that is ours on purpose, by what it concerns
 * ("capability.Backend.Status input") and the opni revision it differs from.
 * Each must also be listed in docs/compatibility.md.
 */
export interface DeliberateDifference {
  subject: string;
  commit: string;
  why: string;
}

const fieldText = (field: WireField) =>
  `${field.label === 'singular' ? '' : `${field.label} `}${field.type} ${field.name} = ${field.number} (wire ${field.wireType})`;

/** Numbers a message reserves, from "3" / "3-5" entries. */
function reservedNumbers(message: WireMessage): Set<number> {
  const numbers = new Set<number>();
  for (const entry of message.reserved ?? []) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(entry);
    if (!range) continue;
    for (let n = Number(range[1]); n <= Number(range[2] ?? range[1]); n++) numbers.add(n);
  }
  return numbers;
}

function compareMessage(name: string, opni: WireMessage, ours: WireMessage, at: string): string[] {
  const problems: string[] = [];
  const oursReserved = reservedNumbers(ours);
  for (const theirs of opni.fields) {
    const mine = ours.fields.find((field) => field.number === theirs.number);
    if (!mine) {
      if (!oursReserved.has(theirs.number)) {
        problems.push(
          `${name} field ${theirs.number} (${theirs.name}): opni ${at} has ${fieldText(theirs)}; ours neither has nor reserves it`,
        );
      }
      continue;
    }
    const differs = (['name', 'kind', 'type', 'wireType', 'label'] as const).filter((key) => mine[key] !== theirs[key]);
    if (differs.length > 0) {
      problems.push(
        `${name} field ${theirs.number} (${theirs.name}): opni ${at} has ${fieldText(theirs)}, ours ${fieldText(mine)} (${differs.join(', ')} differ)`,
      );
    }
  }
  const theirNumbers = new Set(opni.fields.map((field) => field.number));
  const theirReserved = reservedNumbers(opni);
  for (const mine of ours.fields) {
    if (theirNumbers.has(mine.number)) continue;
    const moved = opni.fields.find((field) => field.name === mine.name);
    if (moved) {
      problems.push(
        `${name} field ${mine.name}: opni ${at} numbers it ${moved.number}, ours ${mine.number} (${fieldText(mine)})`,
      );
    } else if (theirReserved.has(mine.number)) {
      problems.push(`${name} field ${mine.number} (${mine.name}): opni ${at} reserves number ${mine.number}`);
    }
  }
  return problems;
}

function compareEnum(name: string, opni: WireEnum, ours: WireEnum, at: string): string[] {
  const problems: string[] = [];
  for (const theirs of opni.values) {
    const mine = ours.values.filter((value) => value.number === theirs.number);
    if (mine.length === 0) {
      problems.push(`${name} value ${theirs.number} (${theirs.name}): opni ${at} has it, ours does not`);
    } else if (!mine.some((value) => value.name === theirs.name)) {
      problems.push(
        `${name} value ${theirs.number}: opni ${at} names it ${theirs.name}, ours ${mine.map((v) => v.name).join('/')}`,
      );
    }
  }
  for (const mine of ours.values) {
    const theirs = opni.values.find((value) => value.name === mine.name);
    if (theirs && theirs.number !== mine.number) {
      problems.push(`${name} value ${mine.name}: opni ${at} numbers it ${theirs.number}, ours ${mine.number}`);
    }
  }
  return problems;
}

const methodText = (m: WireMethod) =>
  `${m.name}(${m.clientStreaming ? 'stream ' : ''}${m.input}) returns (${m.serverStreaming ? 'stream ' : ''}${m.output})`;

function compareService(
  name: string,
  opni: WireService,
  ours: WireService,
  at: string,
  commit: string,
  deliberate: DeliberateDifference[],
): string[] {
  const problems: string[] = [];
  for (const theirs of opni.methods) {
    const mine = ours.methods.find((method) => method.name === theirs.name);
    if (!mine) {
      problems.push(`${name}.${theirs.name}: opni ${at} has ${methodText(theirs)}; ours has no such method`);
      continue;
    }
    for (const key of ['input', 'output', 'clientStreaming', 'serverStreaming'] as const) {
      if (mine[key] === theirs[key]) continue;
      const subject = `${name}.${theirs.name} ${key}`;
      if (deliberate.some((d) => d.subject === subject && commit.startsWith(d.commit))) continue;
      problems.push(`${subject}: opni ${at} has ${methodText(theirs)}, ours ${methodText(mine)}`);
    }
  }
  return problems;
}

/**
 * Every way our definitions would break a client built from opni's protos at
 * `revision`, each naming the definition and the field, value or method.
 * Empty when compatible. A definition of ours that takes a name opni uses
 * must be in the table (else the table is stale: re-run the extraction).
 */
export function compareWithOpni(
  revision: OpniRevision,
  ours: Map<string, WireDefinition>,
  deliberate: DeliberateDifference[] = [],
): string[] {
  const at = revision.commit.slice(0, 9);
  const problems: string[] = [];
  const opniNames = new Set(revision.names);
  for (const name of ours.keys()) {
    if (opniNames.has(name) && !(name in revision.definitions)) {
      problems.push(
        `${name}: opni ${at} defines it, but the wire table does not describe it: re-run scripts/opni-wire-table.mjs`,
      );
    }
  }
  for (const [name, theirs] of Object.entries(revision.definitions)) {
    const mine = ours.get(name);
    if (!mine) {
      problems.push(`${name}: opni ${at} defines it and ours no longer does (re-run scripts/opni-wire-table.mjs)`);
    } else if (mine.kind !== theirs.kind) {
      problems.push(`${name}: opni ${at} has a ${theirs.kind}, ours a ${mine.kind}`);
    } else if (theirs.kind === 'message') {
      problems.push(...compareMessage(name, theirs, mine as WireMessage, at));
    } else if (theirs.kind === 'enum') {
      problems.push(...compareEnum(name, theirs, mine as WireEnum, at));
    } else {
      problems.push(...compareService(name, theirs, mine as WireService, at, revision.commit, deliberate));
    }
  }
  return problems;
}

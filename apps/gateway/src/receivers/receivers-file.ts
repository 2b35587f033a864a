import { readFileSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import { IsArray, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { AlertmanagerTargetConfig } from './alertmanager/alertmanager-target-config.js';
import { ReceiverConfig } from './webhook/receiver-config.js';

/** The receivers file cannot be read or declares something invalid; the message names the receiver and field. */
export class ReceiversFileError extends Error {
  override readonly name = 'ReceiversFileError';
}

/** The receivers file: `{ "receivers": [ … ], "alertmanagers": [ … ] }`. */
export class ReceiversFileContent {
  @IsArray({ message: 'must be a list of receivers' })
  @ValidateNested({ each: true })
  @Type(() => ReceiverConfig)
  receivers: ReceiverConfig[] = [];

  @IsArray({ message: 'must be a list of Alertmanager targets' })
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerTargetConfig)
  alertmanagers: AlertmanagerTargetConfig[] = [];
}

interface Problem {
  /** e.g. ["receivers", "1", "minSeverity"] */
  path: string[];
  value: unknown;
  message: string;
}

function problemsOf(errors: ValidationError[], parent: string[] = []): Problem[] {
  return errors.flatMap((error) => {
    const path = [...parent, error.property];
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      path,
      value: error.value,
      message: rule === 'whitelistValidation' ? 'is not a known field' : message,
    }));
    return [...own, ...problemsOf(error.children ?? [], path)];
  });
}

/** `receiver "ops" (receivers[1]): minSeverity must be one of …; got "Loud"` */
function describe(problem: Problem, content: ReceiversFileContent): string {
  const [top, index, ...field] = problem.path;
  let where = top;
  const kind = top === 'receivers' ? 'receiver' : top === 'alertmanagers' ? 'alertmanager' : undefined;
  if (kind && index !== undefined) {
    const list = (top === 'receivers' ? content.receivers : content.alertmanagers) as unknown[];
    const name = (list[Number(index)] as Partial<ReceiverConfig> | undefined)?.name;
    where =
      typeof name === 'string' && name !== ''
        ? `${kind} ${JSON.stringify(name)} (${top}[${index}])`
        : `${top}[${index}]`;
    if (field.length === 0) return `${where}: must be an object`;
  }
  const fieldName = field.join('.');
  const subject = fieldName === '' ? where : `${where}: ${fieldName}`;
  if (problem.value === undefined) return `${subject} is required`;
  return `${subject} ${problem.message}; got ${JSON.stringify(problem.value)}`;
}

/** Everything the receivers file declares. */
export interface DeliveryTargets {
  receivers: ReceiverConfig[];
  alertmanagers: AlertmanagerTargetConfig[];
}

/**
 * Parses and validates the receivers file's text (JSON). Throws
 * ReceiversFileError with one line naming every problem's receiver and field.
 */
export function parseReceivers(text: string): ReceiverConfig[] {
  return parseTargets(text).receivers;
}

/** parseReceivers, with the Alertmanager targets too. */
export function parseTargets(text: string): DeliveryTargets {
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (error) {
    throw new ReceiversFileError(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new ReceiversFileError('must be a JSON object: { "receivers": [ … ] }');
  }
  const content = plainToInstance(ReceiversFileContent, plain, { exposeDefaultValues: true });
  const errors = validateSync(content, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
  });
  const problems = [...new Set(problemsOf(errors).map((problem) => describe(problem, content)))];

  for (const [top, kind, list] of [
    ['receivers', 'receiver', content.receivers],
    ['alertmanagers', 'alertmanager', content.alertmanagers],
  ] as const) {
    const firstIndexOf = new Map<string, number>();
    (Array.isArray(list) ? (list as { name?: unknown }[]) : []).forEach((target, index) => {
      if (typeof target?.name !== 'string') return;
      const first = firstIndexOf.get(target.name);
      if (first === undefined) firstIndexOf.set(target.name, index);
      else
        problems.push(
          `${kind} ${JSON.stringify(target.name)} (${top}[${index}]): name must be unique; ${top}[${first}] has it too`,
        );
    });
  }

  if (problems.length > 0) throw new ReceiversFileError(problems.join('; '));
  return { receivers: content.receivers, alertmanagers: content.alertmanagers };
}

/** The receivers declared in `path`; none when `path` is empty. */
export function loadReceiversFile(path: string): ReceiverConfig[] {
  return loadTargetsFile(path).receivers;
}

/** The receivers and Alertmanager targets declared in `path`; none when `path` is empty. */
export function loadTargetsFile(path: string): DeliveryTargets {
  if (path === '') return { receivers: [], alertmanagers: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ReceiversFileError(`cannot be read: ${(error as Error).message}`);
  }
  return parseTargets(text);
}

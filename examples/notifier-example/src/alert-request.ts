import { BadRequestException } from '@nestjs/common';
import { GOLDEN_SIGNAL_NAMES, SEVERITY_NAMES, parseGoldenSignalName, parseSeverityName } from '@app/notification-model';
import type { NotifyInput } from '@app/notifier-client';

/** The JSON body of POST /api/v1/alerts. Content rules are the agent's; this only checks shapes and names. */
export interface AlertRequest {
  title?: unknown;
  body?: unknown;
  severity?: unknown;
  goldenSignal?: unknown;
  dedupeKey?: unknown;
  properties?: unknown;
  id?: unknown;
}

function invalid(field: string, reason: string): BadRequestException {
  return new BadRequestException({ error: 'invalid-argument', field, message: `${field}: ${reason}` });
}

function optionalString(request: AlertRequest, field: 'title' | 'body' | 'dedupeKey' | 'id'): string | undefined {
  const value = request[field];
  if (value !== undefined && typeof value !== 'string') throw invalid(field, 'must be a string');
  return value;
}

/** A severity or golden signal name, any case, as @app/notification-model parses it. */
function knownName<N extends string>(
  field: string,
  value: unknown,
  parse: (text: string) => N | undefined,
  names: readonly N[],
): N | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? parse(value) : undefined;
  if (!parsed) throw invalid(field, `must be one of ${names.join(', ')} (any case)`);
  return parsed;
}

function properties(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('properties', 'must be an object');
  }
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw invalid(`properties[${JSON.stringify(key)}]`, 'must be a string');
  }
  return value as Record<string, string>;
}

/** The notification an alert request asks for; BadRequestException naming the field when its shape is wrong. */
export function notifyInput(request: AlertRequest): NotifyInput {
  if (typeof request !== 'object' || request === null) throw invalid('body', 'must be a JSON object');
  return {
    title: optionalString(request, 'title') ?? '',
    body: optionalString(request, 'body') ?? '',
    severity: knownName('severity', request.severity, parseSeverityName, SEVERITY_NAMES),
    goldenSignal: knownName('goldenSignal', request.goldenSignal, parseGoldenSignalName, GOLDEN_SIGNAL_NAMES),
    dedupeKey: optionalString(request, 'dedupeKey'),
    properties: properties(request.properties),
    id: optionalString(request, 'id'),
  };
}

import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { parseSeverityName, SEVERITY_NAMES, type SeverityName } from '@app/notification-model';

/** Where a receiver that has no durable cursor yet starts. */
export const RECEIVER_STARTS = ['end', 'beginning'] as const;
export type ReceiverStart = (typeof RECEIVER_STARTS)[number];

/** Also a metric label value and a log field, so a plain token. */
const RECEIVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function integer(min: number, max: number, hint = ''): PropertyDecorator {
  const allowed = { message: `must be an integer from ${min} to ${max}${hint ? ` (${hint})` : ''}` };
  return (target, property) => {
    IsInt(allowed)(target, property);
    Min(min, allowed)(target, property);
    Max(max, allowed)(target, property);
  };
}

/**
 * What every delivery target (webhook receiver, Alertmanager target) declares:
 * its name, filters, batching and retry policy. Durations are in
 * milliseconds. Defaults are the property initializers.
 */
export class DeliveryTargetConfig {
  // class-validator runs the decorator nearest the property first: the type check goes last.
  @Matches(RECEIVER_NAME, {
    message: 'must be 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit',
  })
  @IsString({ message: 'must be a string' })
  name!: string;

  /** This severity and more important ones are delivered. */
  @Transform(({ value }) => (typeof value === 'string' ? (parseSeverityName(value) ?? value) : value))
  @IsIn(SEVERITY_NAMES, { message: `must be one of ${SEVERITY_NAMES.join(', ')}` })
  minSeverity: SeverityName = 'Info';

  /** Only notifications of these clusters; empty = every cluster. */
  @IsNotEmpty({ each: true, message: 'must not contain an empty cluster id' })
  @IsString({ each: true, message: 'must be a list of cluster ids (strings)' })
  @IsArray({ message: 'must be a list of cluster ids' })
  clusters: string[] = [];

  /** One POST may take this long, response included. */
  @integer(1, 600_000)
  timeoutMs = 10_000;

  /** At most this many alerts per POST. */
  @integer(1, 1_000)
  batchSize = 50;

  /** First retry delay; each failure doubles it, up to backoffMaxMs, with jitter. */
  @integer(1, 3_600_000)
  backoffInitialMs = 500;

  @integer(1, 3_600_000)
  @ValidateBy(
    {
      name: 'atLeastBackoffInitialMs',
      validator: {
        validate: (value, args) =>
          typeof value !== 'number' || value >= (args?.object as DeliveryTargetConfig).backoffInitialMs,
      },
    },
    { message: 'must be at least backoffInitialMs' },
  )
  backoffMaxMs = 60_000;

  /**
   * Attempts at a batch the receiver rejects (HTTP 4xx other than 408 and
   * 429) before it is given up on; 0 retries forever.
   */
  @integer(0, 1_000_000, '0 retries forever')
  maxAttempts = 0;

  /** Safety net: read the store this often even when the bus is quiet. */
  @integer(10, 3_600_000)
  pollIntervalMs = 5_000;

  /** Where a receiver without a durable cursor starts: "end" (from now on) or "beginning" (everything stored). */
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(RECEIVER_STARTS, { message: `must be one of ${RECEIVER_STARTS.join(', ')}` })
  from: ReceiverStart = 'end';
}

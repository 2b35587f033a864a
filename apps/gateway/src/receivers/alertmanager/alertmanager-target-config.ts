import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DeliveryTargetConfig, integer } from '../delivery/delivery-target-config.js';

/** No CR, LF or NUL: they would split or end the Authorization header. */
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** Why a CA file cannot serve as the trust anchor; undefined when it can. */
export function caFileProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'must be a path to a PEM file';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `cannot be read: ${(error as Error).message}`;
  }
  try {
    new X509Certificate(text);
    return undefined;
  } catch (error) {
    return `is not a PEM certificate: ${(error as Error).message}`;
  }
}

export class BasicAuthConfig {
  @Matches(/^[^:\r\n\0]*$/, { message: 'must not contain ":" or line breaks' })
  @IsString({ message: 'must be a string' })
  username!: string;

  @Matches(HEADER_VALUE, { message: 'must not contain line breaks' })
  @IsString({ message: 'must be a string' })
  password!: string;
}

/**
 * One Alertmanager target: the peers of one Alertmanager cluster, to each of
 * which every notification is posted (as Prometheus does); delivered when one
 * peer accepts it. Durations are in milliseconds.
 */
export class AlertmanagerTargetConfig extends DeliveryTargetConfig {
  /** Base URLs of the peers (`/api/v2/alerts` is appended), e.g. http://alertmanager:9093. */
  @ArrayUnique({ message: 'must not list a URL twice' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_valid_protocol: true, require_tld: false },
    { each: true, message: 'must be a list of http:// or https:// URLs' },
  )
  @ArrayNotEmpty({ message: 'must list at least one Alertmanager URL' })
  @IsArray({ message: 'must be a list of Alertmanager URLs' })
  urls!: string[];

  /**
   * Where people reach this Alertmanager's web UI (e.g. its --web.external-url), when it differs from the
   * URLs above or they are internal: the admin page links each notification to its alert there. Unset: no link.
   */
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_valid_protocol: true, require_tld: false },
    { message: 'must be an http:// or https:// URL' },
  )
  externalUrl?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => BasicAuthConfig)
  basicAuth?: BasicAuthConfig;

  @ValidateBy(
    {
      name: 'notWithBasicAuth',
      validator: {
        validate: (value, args) => value === undefined || !(args?.object as AlertmanagerTargetConfig).basicAuth,
      },
    },
    { message: 'cannot be combined with basicAuth' },
  )
  @IsOptional()
  @Matches(HEADER_VALUE, { message: 'must not contain line breaks' })
  @IsNotEmpty({ message: 'must not be empty' })
  @IsString({ message: 'must be a string' })
  bearerToken?: string;

  /** PEM CA certificate(s) that https:// peers' certificates must chain to (instead of the system's). */
  @ValidateIf((config: AlertmanagerTargetConfig) => config.tlsCaFile !== undefined)
  @ValidateBy({
    name: 'isCaFile',
    validator: {
      validate: (path) => caFileProblem(path) === undefined,
      defaultMessage: (args) => caFileProblem(args?.value) ?? 'is not a CA file',
    },
  })
  tlsCaFile?: string;

  /** endsAt = received + this: notifications are events, they resolve by themselves. Older ones are expired, not sent. */
  @integer(1_000, 30 * 24 * 3_600_000)
  lifetimeMs = 3_600_000;

  /** Catching up never posts faster than this (alerts per second over all batches); 0: no bound. */
  @integer(0, 1_000_000, '0: no bound')
  maxAlertsPerSecond = 1_000;

  /** Most important first within this many batches read ahead of the cursor. */
  @integer(1, 100)
  readAheadBatches = 10;

  /** POSTs awaiting Alertmanager's answer at once (the next batch is always encoded meanwhile); 1 as Prometheus. */
  @integer(1, 16)
  maxInFlight = 1;

  /**
   * While catching up, the cursor is saved (an fsync) at most this often; always once caught up and on stop.
   * A crash re-posts what completed since: Alertmanager merges an alert posted twice (same labels) into one.
   */
  @integer(0, 60_000, '0: after every read window')
  progressIntervalMs = 1_000;

  /** Prometheus' own batch size towards Alertmanager. */
  override batchSize = 64;
}

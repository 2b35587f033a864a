import { IntegerSetting, LoggingSettings } from '@app/runtime';

/** Size limits of a notification, in UTF-8 bytes and counts. */
export interface NotificationLimits {
  maxTitleBytes: number;
  maxBodyBytes: number;
  maxProperties: number;
  maxPropertyKeyBytes: number;
  maxPropertyValueBytes: number;
}

const KiB = 1024;

/**
 * The limits as settings, shared by every process that validates
 * notifications (agent and gateway must agree); app settings extend this.
 */
export class NotificationLimitSettings extends LoggingSettings implements NotificationLimits {
  @IntegerSetting(
    { env: 'NOTIFICATION_MAX_TITLE_BYTES', flag: 'max-title-bytes', description: 'Largest title, in UTF-8 bytes.' },
    1,
    64 * KiB,
  )
  maxTitleBytes = 1 * KiB;

  @IntegerSetting(
    { env: 'NOTIFICATION_MAX_BODY_BYTES', flag: 'max-body-bytes', description: 'Largest body, in UTF-8 bytes.' },
    1,
    1024 * KiB,
  )
  maxBodyBytes = 64 * KiB;

  @IntegerSetting(
    {
      env: 'NOTIFICATION_MAX_PROPERTIES',
      flag: 'max-properties',
      description: 'Most properties per notification (well-known ones included).',
    },
    1,
    1024,
  )
  maxProperties = 64;

  @IntegerSetting(
    {
      env: 'NOTIFICATION_MAX_PROPERTY_KEY_BYTES',
      flag: 'max-property-key-bytes',
      description: 'Longest property key, in UTF-8 bytes.',
    },
    1,
    4 * KiB,
  )
  maxPropertyKeyBytes = 256;

  @IntegerSetting(
    {
      env: 'NOTIFICATION_MAX_PROPERTY_VALUE_BYTES',
      flag: 'max-property-value-bytes',
      description: 'Longest property value, in UTF-8 bytes.',
    },
    1,
    64 * KiB,
  )
  maxPropertyValueBytes = 4 * KiB;
}

/** The limits part of a settings object, as a plain value. */
export function notificationLimits(settings: NotificationLimits): NotificationLimits {
  const { maxTitleBytes, maxBodyBytes, maxProperties, maxPropertyKeyBytes, maxPropertyValueBytes } = settings;
  return { maxTitleBytes, maxBodyBytes, maxProperties, maxPropertyKeyBytes, maxPropertyValueBytes };
}

export const DEFAULT_NOTIFICATION_LIMITS: NotificationLimits = notificationLimits(new NotificationLimitSettings());

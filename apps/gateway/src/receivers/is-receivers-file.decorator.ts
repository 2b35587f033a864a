import { ValidateBy } from 'class-validator';
import { loadReceiversFile, ReceiversFileError } from './receivers-file.js';

function problemWith(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'must be a path';
  try {
    loadReceiversFile(path);
    return undefined;
  } catch (error) {
    if (error instanceof ReceiversFileError) return error.message;
    throw error;
  }
}

/**
 * Validates a receivers-file setting by loading the file, so that a bad file
 * fails start-up like any bad setting: exit code 2 and one line naming the
 * receiver and field (loadSettingsOrExit).
 */
export function IsReceiversFile(): PropertyDecorator {
  return ValidateBy({
    name: 'isReceiversFile',
    validator: {
      validate: (path) => problemWith(path) === undefined,
      defaultMessage: (args) => `is not a valid receivers file: ${problemWith(args?.value) ?? 'unknown problem'}`,
    },
  });
}

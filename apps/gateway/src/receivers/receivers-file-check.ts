import type { SettingChecks } from '@app/runtime';
import type { GatewaySettings } from '../config/gateway-settings.js';
import { loadReceiversFile, ReceiversFileError } from './receivers-file.js';

/**
 * What GatewaySettings leaves to the receivers (loadSettingsOrExit's checks in
 * main.ts): the receivers file is loaded, so that a bad file fails start-up
 * like any bad setting: exit code 2 and one line naming the receiver and field.
 */
export const RECEIVERS_SETTING_CHECKS: SettingChecks<GatewaySettings> = { receiversFile: receiversFileProblem };

/** The receivers-file setting's problem; undefined when the file is valid (or the setting empty). */
export function receiversFileProblem(path: unknown): string | undefined {
  const problem = problemWith(path);
  return problem === undefined ? undefined : `is not a valid receivers file: ${problem}`;
}

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

import { GatewayError, GatewayUnreachableError } from './admin-client.js';
import { TOKEN_HINT, UsageError } from './connection.js';
import { ExitCode } from './exit-code.js';

export const PROGRAM_NAME = 'downstream-admin';

/** What a failed command means for the caller: the exit status and the lines for stderr. */
export function describeFailure(error: unknown): { exitCode: ExitCode; message: string } {
  const line = (text: string) => `${PROGRAM_NAME}: ${text}`;
  if (error instanceof UsageError) return { exitCode: ExitCode.Usage, message: line(error.message) };
  if (error instanceof GatewayUnreachableError) return { exitCode: ExitCode.Unreachable, message: line(error.message) };
  if (error instanceof GatewayError) {
    const said = line(`${error.message} (HTTP ${error.status})`);
    if (error.status === 401 || error.status === 403) {
      return { exitCode: ExitCode.Unauthenticated, message: `${said}\n${line(TOKEN_HINT)}` };
    }
    if (error.status === 404) return { exitCode: ExitCode.NotFound, message: said };
    if (error.status === 502 || error.status === 503 || error.status === 504) {
      return { exitCode: ExitCode.Unreachable, message: said };
    }
    return { exitCode: ExitCode.Refused, message: said };
  }
  return { exitCode: ExitCode.Refused, message: line(error instanceof Error ? error.message : String(error)) };
}

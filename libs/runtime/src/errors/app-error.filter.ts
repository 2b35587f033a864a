import { status as GrpcStatus } from '@grpc/grpc-js';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { AppError, ERROR_STATUS } from './app-error.js';

/** The part of Express' response this filter uses. */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * Maps errors to wire statuses, once, for gRPC and HTTP: AppErrors by their
 * kind; Nest's own HttpException/RpcException as they are; anything else is
 * logged with its stack and answered INTERNAL / 500 without internals.
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => this.toGrpc(error));
    if (host.getType() === 'http') this.reply(host.switchToHttp().getResponse<JsonResponse>(), error);
  }

  private toGrpc(error: unknown): { code: GrpcStatus; message: string } {
    if (error instanceof AppError) return { code: ERROR_STATUS[error.kind].grpc, message: error.message };
    if (error instanceof RpcException) {
      const inner = error.getError();
      if (typeof inner === 'object' && inner !== null && 'code' in inner)
        return inner as { code: GrpcStatus; message: string };
      return { code: GrpcStatus.UNKNOWN, message: String(inner) };
    }
    this.logger.error({ err: error }, 'unexpected error in a gRPC handler');
    return { code: GrpcStatus.INTERNAL, message: 'internal error' };
  }

  private reply(response: JsonResponse, error: unknown): void {
    if (error instanceof AppError) {
      response.status(ERROR_STATUS[error.kind].http).json({ error: error.kind, message: error.message });
    } else if (error instanceof HttpException) {
      response.status(error.getStatus()).json(error.getResponse());
    } else {
      this.logger.error({ err: error }, 'unexpected error in an HTTP handler');
      response.status(500).json({ error: 'internal', message: 'internal error' });
    }
  }
}

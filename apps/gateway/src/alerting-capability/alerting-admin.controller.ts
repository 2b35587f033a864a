import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { InstallView, NodeStatusView, TaskStatusView } from '@app/admin-api';
import { capability, core } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { AlertingBackend } from './alerting-backend.js';

function taskStatusView(status: core.TaskStatus): TaskStatusView {
  return {
    state: core.TaskState[status.state],
    progress: status.progress && { current: Number(status.progress.current), total: Number(status.progress.total) },
    metadata: status.metadata ? (JSON.parse(status.metadata) as unknown) : {},
    logs: status.logs.map((entry) => ({
      timestamp: entry.timestamp?.toISOString(),
      msg: entry.msg,
      level: entry.level,
    })),
    transitions: status.transitions.map((t) => ({
      state: core.TaskState[t.state],
      timestamp: t.timestamp?.toISOString(),
    })),
  };
}

/** A JSON body that must be an object (or absent). */
function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The alerting capability's lifecycle over HTTP, for the admin page and for
 * curl: the same operations, errors and semantics as capability.Backend on
 * the gRPC port (errors map to HTTP statuses in one place: AppErrorFilter).
 */
@Controller('api/v1/clusters/:cluster/capabilities/alerting')
export class AlertingAdminController {
  constructor(private readonly backend: AlertingBackend) {}

  /** Body: {"ignoreWarnings": true} (optional). */
  @Post('install')
  @HttpCode(200)
  async install(@Param('cluster') cluster: string, @Body() body: unknown): Promise<InstallView> {
    const { ignoreWarnings = false, ...rest } = objectBody(body);
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new InvalidArgumentError(unknown, 'unknown field (known: ignoreWarnings)');
    if (typeof ignoreWarnings !== 'boolean') throw new InvalidArgumentError('ignoreWarnings', 'must be true or false');
    const response = await this.backend.install(cluster, ignoreWarnings);
    return { status: capability.InstallResponseStatus[response.status], message: response.message };
  }

  @Get('status')
  async status(@Param('cluster') cluster: string): Promise<NodeStatusView> {
    const status = await this.backend.status(cluster);
    return {
      enabled: status.enabled,
      lastSync: status.lastSync?.toISOString(),
      conditions: status.conditions,
      lastRevision: String(status.lastRevision?.revision ?? 0n),
    };
  }

  /** Body: {"deleteStoredData": true, "initialDelay": "30s"} (both optional). Answers 202: the task runs on. */
  @Post('uninstall')
  @HttpCode(202)
  async uninstall(@Param('cluster') cluster: string, @Body() body: unknown): Promise<TaskStatusView> {
    await this.backend.uninstall(cluster, objectBody(body));
    return taskStatusView(await this.backend.uninstallStatus(cluster));
  }

  @Get('uninstall')
  async uninstallStatus(@Param('cluster') cluster: string): Promise<TaskStatusView> {
    return taskStatusView(await this.backend.uninstallStatus(cluster));
  }

  @Post('uninstall/cancel')
  @HttpCode(200)
  async cancelUninstall(@Param('cluster') cluster: string): Promise<TaskStatusView> {
    await this.backend.cancelUninstall(cluster);
    return taskStatusView(await this.backend.uninstallStatus(cluster));
  }
}

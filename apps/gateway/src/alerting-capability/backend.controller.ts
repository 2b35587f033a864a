import { Controller } from '@nestjs/common';
import { capability, type core, type wkt } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import { AlertingBackend } from './alerting-backend.js';

/** The cluster a request names; InvalidArgumentError when it names none. */
function clusterOf(reference: core.Reference | undefined, field: string): string {
  const id = reference?.id ?? '';
  if (id.trim() === '') throw new InvalidArgumentError(field, 'is required: the cluster id');
  return id;
}

/** capability.Backend for alerting on the gateway's gRPC port; the lifecycle lives in AlertingBackend. */
@Controller()
@capability.BackendControllerMethods()
export class BackendController implements capability.BackendController {
  constructor(private readonly backend: AlertingBackend) {}

  info(_request: wkt.Empty): capability.Details {
    return this.backend.info();
  }

  canInstall(_request: wkt.Empty): void {
    // Always installable: alerting needs nothing from a cluster beyond its agent.
  }

  install(request: capability.InstallRequest): Promise<capability.InstallResponse> {
    return this.backend.install(clusterOf(request.cluster, 'cluster.id'), request.ignoreWarnings);
  }

  status(request: capability.StatusRequest): Promise<capability.NodeCapabilityStatus> {
    return this.backend.status(clusterOf(request.cluster, 'cluster.id'));
  }

  uninstall(request: capability.UninstallRequest): Promise<void> {
    return this.backend.uninstall(clusterOf(request.cluster, 'cluster.id'), request.options);
  }

  uninstallStatus(request: core.Reference): Promise<core.TaskStatus> {
    return this.backend.uninstallStatus(clusterOf(request, 'id'));
  }

  cancelUninstall(request: core.Reference): Promise<void> {
    return this.backend.cancelUninstall(clusterOf(request, 'id'));
  }

  installerTemplate(_request: wkt.Empty): capability.InstallerTemplateResponse {
    return this.backend.installerTemplate();
  }
}

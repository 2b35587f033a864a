import { Controller } from '@nestjs/common';
import { capability } from '@app/proto';
import { NodeSync } from './node-sync.js';

/** capability.Node on the agent's local gRPC port (the gateway reaches the same over the agent's session). */
@Controller()
@capability.NodeControllerMethods()
export class NodeController implements capability.NodeController {
  constructor(private readonly sync: NodeSync) {}

  async syncNow(filter: capability.Filter): Promise<void> {
    await this.sync.syncNow(filter);
  }
}

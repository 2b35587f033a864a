import { Module } from '@nestjs/common';
import { ClustersModule } from '../../clusters/clusters.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { BootstrapController } from './bootstrap.controller.js';

/** How agents join: bootstrap.v1.BootstrapService on the gateway's gRPC port. */
@Module({ imports: [ClustersModule, TokensModule], controllers: [BootstrapController] })
export class BootstrapModule {}

import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NotifierClient } from './notifier-client.js';
import { NotifierModule } from './notifier.module.js';

@Injectable()
class AgentAddressSource {
  readonly address = '127.0.0.1:19190';
}

@Module({ providers: [AgentAddressSource], exports: [AgentAddressSource] })
class AddressModule {}

describe('NotifierModule', () => {
  it('forRoot provides a NotifierClient with the options given', async () => {
    const app = await Test.createTestingModule({
      imports: [NotifierModule.forRoot({ agentAddress: '127.0.0.1:9999', timeoutMs: 1234, retry: { maxAttempts: 2 } })],
    }).compile();
    const client = app.get(NotifierClient);
    expect(client.options).toMatchObject({
      agentAddress: '127.0.0.1:9999',
      timeoutMs: 1234,
      retry: { maxAttempts: 2 },
    });
    await app.close();
  });

  it('forRootAsync builds the options with a factory over injected providers', async () => {
    const app = await Test.createTestingModule({
      imports: [
        NotifierModule.forRootAsync({
          imports: [AddressModule],
          inject: [AgentAddressSource],
          useFactory: (source: AgentAddressSource) => ({ agentAddress: source.address }),
        }),
      ],
    }).compile();
    expect(app.get(NotifierClient).options.agentAddress).toBe('127.0.0.1:19190');
    await app.close();
  });

  it('closes the client when the application shuts down', async () => {
    const app = await Test.createTestingModule({
      imports: [NotifierModule.forRoot({ agentAddress: '127.0.0.1:9999' })],
    }).compile();
    const client = app.get(NotifierClient);
    const close = client.close.bind(client);
    let closed = 0;
    client.close = () => {
      closed++;
      close();
    };
    await app.close();
    expect(closed).toBe(1);
  });

  it('refuses options that cannot work when the client is built', async () => {
    await expect(
      Test.createTestingModule({ imports: [NotifierModule.forRoot({ agentAddress: '' })] }).compile(),
    ).rejects.toThrow('agentAddress is required');
  });
});

import { agentNotification } from './notify-input.js';

describe('agentNotification', () => {
  it('sets only the well-known properties that are given', () => {
    expect(agentNotification({ title: 't', body: 'b' }, 'id-1')).toEqual({
      id: 'id-1',
      message: { title: 't', body: 'b', properties: {} },
    });
  });

  it('lets the dedicated fields win over the same keys in properties', () => {
    const request = agentNotification(
      {
        title: 't',
        body: 'b',
        severity: 'Error',
        goldenSignal: 'Latency',
        dedupeKey: 'k',
        properties: { opni_severity: 'Info', opni_goldenSignal: 'Custom', opni_dedupe_key: 'other', team: 'db' },
      },
      'id-2',
    );
    expect(request.message?.properties).toEqual({
      opni_severity: 'Error',
      opni_goldenSignal: 'Latency',
      opni_dedupe_key: 'k',
      team: 'db',
    });
  });
});

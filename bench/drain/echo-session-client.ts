/**
 * The client half of the drain benchmark's baseline: pushes the notifications of an
 * agent queue file over one session.v1.AgentSessionService/Connect stream to
 * ./echo-session-server.ts the way the agent pushes them to the gateway, with nothing
 * else around: Hello, then for each notification an RpcCall frame for
 * alerting.PushNotificationService/Push whose request is the notification (opni_uuid =
 * its queue id) encoded with Push's own request codec (alerting.Notification.encode),
 * metadata `attempt: 1`, at most WINDOW calls unanswered; each RpcResult frees a slot
 * and the next call goes out. grpc-js client, ts-proto codecs, same channel options
 * as the agent's gateway connection.
 *
 *   node --import tsx bench/drain/echo-session-client.ts <address> <queue.db> [window=512]
 *
 * The rows are read from queue.db and decoded in drain order (severity, then seq)
 * before the clock starts: the baseline is the transport, not SQLite. The clock runs
 * from Welcome to the last result. Prints JSON lines: `ready` (rows loaded),
 * `progress` (every second: answered so far), `done` (answered, ms, own CPU ms).
 */
import * as grpc from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { alerting, serviceDefinitions, type session } from '@app/proto';

const [address, queueDb, windowArg = '512'] = process.argv.slice(2);
if (!address || !queueDb) {
  process.stderr.write('usage: node --import tsx bench/drain/echo-session-client.ts <address> <queue.db> [window]\n');
  process.exit(2);
}
const WINDOW = Number(windowArg);
const connect = serviceDefinitions['session.v1.AgentSessionService'].connect;
const push = serviceDefinitions['alerting.PushNotificationService'].push;

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

function loadNotifications(): alerting.Notification[] {
  const db = new Database(queueDb, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id, payload FROM queue ORDER BY severity DESC, seq').all() as {
      id: string;
      payload: Buffer;
    }[];
    return rows.map(({ id, payload }) => {
      const notification = alerting.Notification.decode(payload);
      notification.properties.opni_uuid = id;
      return notification;
    });
  } finally {
    db.close();
  }
}

const notifications = loadNotifications();
print({ event: 'ready', count: notifications.length });

const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 16 << 20,
});
const call = client.makeBidiStreamRequest(
  connect.path,
  connect.requestSerialize,
  connect.responseDeserialize,
  new grpc.Metadata(),
  {},
);

let sent = 0;
let answered = 0;
let failed = 0;
let started = 0;
let cpuAtStart = process.cpuUsage();
let progress: NodeJS.Timeout | undefined;

function sendNext(): void {
  const notification = notifications[sent];
  call.write({
    frame: {
      $case: 'call',
      value: {
        id: BigInt(++sent),
        method: push.path,
        request: push.requestSerialize(notification),
        metadata: { attempt: '1' },
      },
    },
  });
}

function finish(): void {
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  clearInterval(progress);
  print({ event: 'done', answered, failed, ms, cpuMs: (cpu.user + cpu.system) / 1000 });
  call.end();
  client.close();
}

call.on('data', (response: session.ConnectResponse) => {
  const frame = response.frame;
  if (frame?.$case === 'welcome') {
    started = performance.now();
    cpuAtStart = process.cpuUsage();
    progress = setInterval(() => print({ event: 'progress', answered, atMs: performance.now() - started }), 1_000);
    while (sent < Math.min(WINDOW, notifications.length)) sendNext();
    if (notifications.length === 0) finish();
    return;
  }
  if (frame?.$case !== 'result') return;
  push.responseDeserialize(Buffer.from(frame.value.response)); // as SessionPeer does
  if (frame.value.code !== 0) failed++;
  answered++;
  if (sent < notifications.length) sendNext();
  else if (answered === notifications.length) finish();
});
call.on('error', (error: grpc.ServiceError) => {
  if (answered === notifications.length) return; // our own end
  process.stderr.write(`echo session client: ${error.message}\n`);
  process.exit(1);
});
call.write({ frame: { $case: 'hello', value: { clusterId: 'bench', agentVersion: 'echo', nonce: Buffer.alloc(0) } } });

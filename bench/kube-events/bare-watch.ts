/**
 * The benchmark's baseline consumer: a bare watch of events (Node https, one
 * JSON.parse per line, nothing else), in its own process like the agent.
 * Prints how many events it has read, one number per line, every 100 ms.
 *
 *   node --import tsx bench/kube-events/bare-watch.ts <server url> <token> <ca pem file> <resourceVersion>
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const [server, token, caFile, resourceVersion] = process.argv.slice(2);
const url = new URL(`${server}/apis/events.k8s.io/v1/events`);
url.searchParams.set('watch', 'true');
url.searchParams.set('resourceVersion', resourceVersion);
let count = 0;
const req = request(url, { ca: readFileSync(caFile), headers: { authorization: `Bearer ${token}` } }, (res) => {
  let rest = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if ((JSON.parse(line) as { type: string }).type !== 'BOOKMARK') count++;
    }
  });
  res.on('end', () => process.exit(0));
});
req.end();
setInterval(() => process.stdout.write(`${count}\n`), 100);

/**
 * `npm test` runs this first (pretest), so the README's test command passes by itself on a
 * fresh machine of this project's kind: it starts a stopped PostgreSQL, MariaDB or Redis with
 * the machine's own command, creates the test role and user (scripts/test-environment.ts) and
 * installs Debian's Chromium and a CJK font when missing. Quiet when nothing needs doing.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { defaultTestEnvironment, ensureBrowserPackages, ensureMysqlUser, ensurePostgresRole } from './test-environment.js';

/** Whether something listens on a local port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

// The start commands of this machine kind (see the env notes), for a service that has stopped.
const SERVICES = [
  {
    name: 'PostgreSQL',
    port: 5432,
    start: () => `pg_ctlcluster --skip-systemctl-redirect ${readdirSync('/etc/postgresql')[0]} main start`,
    installed: () => existsSync('/etc/postgresql'),
  },
  { name: 'MariaDB', port: 3306, start: () => 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd', installed: () => existsSync('/usr/sbin/mariadbd') },
  {
    name: 'Redis',
    port: 6379,
    start: () => 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    installed: () => existsSync('/usr/bin/redis-server'),
  },
];

const say = (message: string) => console.log(`prepare-tests: ${message}`);

try {
  for (const service of SERVICES) {
    if (await listening(service.port)) continue;
    if (!service.installed()) throw new Error(`${service.name} is not running on 127.0.0.1:${service.port} and not installed here`);
    say(`starting ${service.name}`);
    execSync(service.start(), { stdio: 'inherit' });
    for (let i = 0; i < 30 && !(await listening(service.port)); i++) await new Promise((r) => setTimeout(r, 1000));
    if (!(await listening(service.port))) throw new Error(`${service.name} did not start on 127.0.0.1:${service.port}`);
  }
  const env = defaultTestEnvironment();
  if (await ensurePostgresRole(env)) say(`created the PostgreSQL role ${env.role}`);
  if (await ensureMysqlUser(env)) say(`created the MariaDB user ${env.role}`);
  const installed = ensureBrowserPackages();
  if (installed.length) say(`installed ${installed.join(', ')} from Debian's packages`);
} catch (error) {
  console.error(`prepare-tests: ${(error as Error).message}`);
  process.exit(1);
}

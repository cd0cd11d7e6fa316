// A throwaway MariaDB for one test or bench run: temporary data dir, free port, removed afterwards.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

function which(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/bin']) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * `inMemory`: the data directory on tmpfs (/dev/shm) when the machine has one. The tests create and drop
 * a migrated database per file; on disk each CREATE TABLE's file creation and syncs cost 6–17 s per
 * database on this machine, on tmpfs about 1 s. Nothing of a throwaway server needs to survive a crash.
 */
export async function startThrowawayMariadb({ inMemory = false } = {}) {
  const mariadbd = which('mariadbd') ?? which('mysqld');
  const installDb = which('mariadb-install-db') ?? which('mysql_install_db');
  const client = which('mariadb') ?? which('mysql');
  if (!mariadbd || !installDb || !client) {
    console.error('mariadbd not found: install it with `apt-get install -y mariadb-server` (or set DATABASE_URL=mysql://user:pass@host:port/db)');
    process.exit(1);
  }
  const memory = inMemory && existsSync('/dev/shm');
  const dir = mkdtempSync(path.join(memory ? '/dev/shm' : tmpdir(), 'anchor-mariadb-'));
  // tmpfs has no O_DIRECT and nothing to protect from torn pages
  const memoryFlags = memory ? ['--innodb-flush-method=fsync', '--innodb-use-native-aio=0', '--innodb-doublewrite=0'] : [];
  const port = await freePort();
  mkdirSync(`${dir}/tmp`);
  execFileSync(installDb, ['--no-defaults', `--datadir=${dir}/data`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'], { stdio: 'ignore' });
  const child = spawn(
    mariadbd,
    ['--no-defaults', `--datadir=${dir}/data`, `--socket=${dir}/sock`, `--port=${port}`, '--bind-address=127.0.0.1', '--user=root', '--skip-log-bin',
      '--innodb-buffer-pool-size=256M', '--innodb-flush-log-at-trx-commit=2', ...memoryFlags, '--max-connections=500', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
      // To a file, not a pipe: `npm test` runs jest with spawnSync, so nothing would drain a pipe while the
      // suite runs, and once 64 KB of warnings (aborted connections from the fault tests) filled it, every
      // new connection hung in its handshake.
      `--log-error=${dir}/error.log`,
      // its own temporary tables' directory: several throwaway servers (parallel runs) never share /tmp's files
      `--tmpdir=${dir}/tmp`],
    { stdio: 'ignore' },
  );
  const errorLog = (chars = 2000) => {
    try {
      return readFileSync(`${dir}/error.log`, 'utf8').slice(-chars);
    } catch {
      return '(no error log)';
    }
  };
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return new Promise((resolve) => {
      const done = () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
  };
  for (let i = 0; ; i++) {
    try {
      execFileSync(client, ['-h127.0.0.1', `-P${port}`, '-uroot', '-e', 'CREATE DATABASE IF NOT EXISTS anchor CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'], { stdio: 'ignore' });
      break;
    } catch {
      if (child.exitCode !== null || i > 150) {
        const log = errorLog();
        await stop();
        throw new Error(`throwaway MariaDB did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  /** the error log's tail when the server crashed during the run (so a failed run says why), else null */
  const crashReport = () => {
    const log = errorLog(1e6);
    const at = log.search(/got signal \d+/);
    return at < 0 ? null : log.slice(Math.max(0, at - 200), at + 3000);
  };
  return { url: `mysql://root@127.0.0.1:${port}/anchor`, port, stop, crashReport };
}

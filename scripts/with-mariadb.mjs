// Runs a command with DATABASE_URL set: the caller's, or a throwaway MariaDB started for the run.
import { spawn } from 'node:child_process';
import { startThrowawayMariadb } from './mariadb.mjs';

const [command, ...args] = process.argv.slice(2);
let stop = async () => {};
if (!process.env.DATABASE_URL) {
  const db = await startThrowawayMariadb();
  process.env.DATABASE_URL = db.url;
  stop = db.stop;
}
const child = spawn(command, args, { stdio: 'inherit', env: process.env, shell: false });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', async (code, signal) => {
  await stop();
  process.exit(code ?? (signal ? 1 : 0));
});

// The whole test suite: type checks, the mini-program builds, jest against a real MariaDB, and the server
// and channel suites once more on the embedded SQLite. Given no DATABASE_URL, a throwaway MariaDB is
// started for the run and removed afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startThrowawayMariadb } from './mariadb.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const started = Date.now();

if (!existsSync(bin('tsc')) || !existsSync(bin('jest'))) {
  console.error('The dependencies are not installed: run `npm install` (or `npm ci`) first.');
  process.exit(1);
}

function run(title, command, args, env = process.env) {
  const t0 = Date.now();
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, env });
  console.log(`  ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result.status === 0;
}

/** Several checks at once (the type checks are one core each): each one's output printed when it ends. */
async function runTogether(steps) {
  const results = await Promise.all(steps.map(({ title, command, args, env = process.env }) => new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(command, args, { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      console.log(`\n▶ ${title}${out ? `\n${out.trimEnd()}` : ''}`);
      console.log(`  ${title}: ${code === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      resolve(code === 0);
    });
  })));
  return results.every(Boolean);
}

function dirSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

const WEAPP_MAIN_LIMIT = 1.5 * 1024 * 1024;

/** Total size, and for weapp the main package (what WeChat caps at 2 MB) without the subpackages. */
function outputSize(dir) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
  const total = dirSize(dir);
  const appJson = path.join(dir, 'app.json');
  if (!existsSync(appJson)) return kb(total);
  const subPackages = JSON.parse(readFileSync(appJson, 'utf8')).subPackages ?? [];
  const main = total - subPackages.reduce((sum, p) => sum + dirSize(path.join(dir, p.root)), 0);
  if (main > WEAPP_MAIN_LIMIT) {
    console.log(`  weapp main package is over 1.5 MB: move rarely used pages into a subpackage`);
    ok = false;
  }
  return `${kb(total)}, main package ${kb(main)} (limit 1.5 MB)`;
}

const jestArgs = process.argv.slice(2);
const only = jestArgs.length > 0; // `npm test -- tests/server/x.test.ts` runs just those files
let ok = true;
if (!only) {
  // The type checks (one core each) and the two builds (one core and a bit each) side by side: on two
  // cores together they take the time of their CPU, not the sum of their waits.
  const t0 = Date.now();
  const buildEnv = { ...process.env, NODE_ENV: 'production' };
  const build = (target) => ({ title: `mini-program build (${target})`, command: 'npm', args: ['run', `build:${target}`, '-w', 'miniprogram', '--silent'], env: buildEnv });
  ok = (await runTogether([
    { title: 'type check (server, shared, tests)', command: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
    { title: 'type check (mini-program)', command: bin('tsc'), args: ['--noEmit', '-p', 'miniprogram/tsconfig.json'] },
    { title: 'type check (component tests)', command: bin('tsc'), args: ['--noEmit', '-p', 'tests/components/tsconfig.json'] },
    build('weapp'),
    build('h5'),
  ])) && ok;
  console.log(`  type checks and builds together: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const target of ['weapp', 'h5']) {
    const dir = path.join(root, 'miniprogram/dist', target);
    if (existsSync(dir)) console.log(`  ${target} output: ${outputSize(dir)}`);
  }
}

/** jest with a summary file, so the counts of each database's pass can be printed at the end. */
const counts = [];
function jest(title, args, env) {
  const dir = mkdtempSync(path.join(tmpdir(), 'anchor-jest-'));
  const summary = path.join(dir, 'summary.json');
  const passed = run(title, bin('jest'), ['--ci', '--json', `--outputFile=${summary}`, ...args], env);
  if (existsSync(summary)) {
    const r = JSON.parse(readFileSync(summary, 'utf8'));
    counts.push(`${title}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped of ${r.numTotalTests} tests in ${r.numTotalTestSuites} files`);
  }
  rmSync(dir, { recursive: true, force: true });
  return passed;
}

// ANCHOR_TEST_DB=sqlite runs the given files (or the server and channel suites) on the embedded SQLite only.
const sqliteOnly = process.env.ANCHOR_TEST_DB === 'sqlite';
if (!sqliteOnly) {
  let stop = async () => {};
  let crashReport = () => null;
  if (!process.env.DATABASE_URL) {
    const db = await startThrowawayMariadb({ inMemory: true });
    process.env.DATABASE_URL = db.url;
    ({ stop, crashReport } = db);
    console.log(`\nthrowaway MariaDB on port ${db.port}`);
  }
  try {
    ok = jest('jest on MariaDB (real HTTP)', jestArgs, { ...process.env, ANCHOR_TEST_DB: 'mariadb' }) && ok;
    const crash = crashReport();
    if (crash) {
      console.log(`\n  the throwaway MariaDB crashed during the run; every test after that failed to connect. Its log ends:\n${crash}`);
      ok = false;
    }
  } finally {
    await stop();
  }
}
// The server and channel suites again on the embedded SQLite, `npm start`'s default: one file per test
// database, in /dev/shm (tmpfs) so the pass costs CPU, not disk syncs. Not with files named on the
// command line, unless ANCHOR_TEST_DB=sqlite asks for them on SQLite.
if (sqliteOnly || !only) {
  const { DATABASE_URL: _mariadb, ...rest } = process.env;
  const files = only ? jestArgs : ['--selectProjects', 'server', '--', 'tests/server', 'tests/channels'];
  ok = jest('jest on SQLite (server and channel suites)', files, { ...rest, ANCHOR_TEST_DB: 'sqlite' }) && ok;
}
for (const line of counts) console.log(`  ${line}`);
console.log(`\n${ok ? 'ALL PASSED' : 'SOME CHECKS FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(ok ? 0 : 1);

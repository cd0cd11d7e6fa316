// jest's global teardown: drops this run's test database templates (tests/support/templates.ts).
const { readdirSync, rmSync } = require('node:fs');
const path = require('node:path');

module.exports = async function dropTemplates() {
  const run = process.env.ANCHOR_TEST_RUN;
  if (!run) return;
  for (const parent of [process.env.ANCHOR_TEST_SQLITE_DIR, '/dev/shm', require('node:os').tmpdir()]) {
    if (!parent) continue;
    let names = [];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) if (name.startsWith(`anchor-tpl-${run}-`)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  if (!process.env.DATABASE_URL || process.env.ANCHOR_TEST_DB === 'sqlite') return;
  const base = new URL(process.env.DATABASE_URL);
  const { createConnection } = require('mysql2/promise');
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  try {
    const [rows] = await admin.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`anchor\\_tpl\\_${run}\\_%`]);
    for (const { name } of rows) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.end();
  }
};

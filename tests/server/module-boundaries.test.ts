import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { serverModules } from '../../server/src/modules';

const modules = serverModules();
import type { AnyModule } from '../../server/src/modules/module';

// A module reaches another only through what that module exports (its index.ts), never its files or
// its tables. Checked here over the source, so a new module is held to it without anyone remembering.
const SERVER = path.resolve(__dirname, '../../server/src');
const MODULES = path.join(SERVER, 'modules');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const tableOf = (entity: unknown): string => {
  const table = getMetadataArgsStorage().tables.find((t) => t.target === entity);
  if (!table?.name) throw new Error(`entity without a table name: ${String(entity)}`);
  return table.name;
};

const owners = new Map<string, string>(modules.flatMap((m) => m.entities.map((e) => [tableOf(e), m.name] as const)));

/** Code without comments, so prose like "from customer" is not mistaken for SQL. */
const codeOf = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** Where a module file reaches into another module, as `file: what`. */
function crossings(module: AnyModule, folderName = module.name): string[] {
  const folder = path.join(MODULES, folderName);
  const found: string[] = [];
  for (const file of filesUnder(folder)) {
    const code = codeOf(file);
    const where = path.relative(SERVER, file);
    for (const match of code.matchAll(/(?:from\s+|import\(\s*)['"](\.[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), match[1]!);
      const relative = path.relative(MODULES, target).split(path.sep);
      if (relative[0] === '..' || relative.length === 1) continue; // outside modules/, or modules/module.ts, modules/index.ts
      const [other, ...rest] = relative;
      if (other === module.name) continue;
      if (rest.length === 0 || (rest.length === 1 && rest[0] === 'index')) continue;
      found.push(`${where}: imports ${path.relative(SERVER, target)} (use ../${other})`);
    }
    for (const match of code.matchAll(/\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+[`"]?([a-z_]+)\b|\b(?:insert|insertStatement|from|into|update)\(\s*['"]([a-z_]+)['"]/g)) {
      const table = match[2] ?? match[3]!;
      const owner = owners.get(table);
      // a module that declares it reads another's tables may SELECT from them (FROM, JOIN), never write
      const reading = (match[1] === 'FROM' || match[1] === 'JOIN') && (module.reads ?? []).includes(owner ?? '');
      if (owner && owner !== module.name && !reading) found.push(`${where}: names table ${table} of module ${owner}`);
    }
  }
  return found;
}

describe('module boundaries', () => {
  it.each(modules.map((m) => [m.name, m] as const))('%s reaches other modules only through their index, never their tables', (_name, module) => {
    expect(crossings(module)).toEqual([]);
  });

  it('each module lives in the folder of its name and owns its tables alone', () => {
    for (const m of modules) expect(statSync(path.join(MODULES, m.name, 'index.ts')).isFile()).toBe(true);
    const tables = modules.flatMap((m) => m.entities.map(tableOf));
    expect(new Set(tables).size).toBe(tables.length);
  });

  it("no module's index hands out an entity class (that would be its table)", async () => {
    const entities = new Set(modules.flatMap((m) => m.entities));
    for (const m of modules) {
      const exported = (await import(path.join(MODULES, m.name))) as Record<string, unknown>;
      const leaked = Object.entries(exported).filter(([, value]) => entities.has(value as never)).map(([name]) => `${m.name}: ${name}`);
      expect(leaked).toEqual([]);
    }
  });

  it('a module that declares what it reads may select from those tables, and still may not write them', () => {
    const dashboards = modules.find((m) => m.name === 'dashboards')!;
    expect(dashboards.reads).toEqual(expect.arrayContaining(['visits', 'customers']));
    // the visits folder read as another module's: as a stranger every table it names is a crossing; as a
    // declared reader of every module only its writes are (INSERT INTO / UPDATE visit), its SELECTs pass
    const all = modules.map((m) => m.name);
    const asStranger = crossings({ ...dashboards, name: 'outsider', reads: [] }, 'visits');
    const asReader = crossings({ ...dashboards, name: 'outsider', reads: all }, 'visits');
    expect(asReader.length).toBeGreaterThan(0);
    expect(asReader.length).toBeLessThan(asStranger.length);
    expect(asReader).toEqual(expect.arrayContaining([expect.stringMatching(/^modules\/visits\/follow-up\.service\.ts: names table visit of module visits$/)]));
  });

  it('the check itself catches a crossing', () => {
    // the visits folder read as if it belonged to another module: its own table is then someone else's
    const seenFromOutside = crossings({ ...modules.find((m) => m.name === 'home')!, name: 'outsider' }, 'visits');
    expect(seenFromOutside).toEqual(expect.arrayContaining([expect.stringMatching(/^modules\/visits\/visit\.sql\.ts: names table visit of module visits$/)]));
  });
});

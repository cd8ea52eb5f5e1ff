// procedures.mjs — the procedures the BPMN checks draw: every bundled one
// (workflows/procedures) and the shapes they lack (tests/bpmn/procedures).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('procedures', import.meta.url));

// [{ name, path, bundled }], the bundled ones first; `problems` gets a line
// when the bundled ones are not all there.
export function procedures(workflows, problems) {
  const list = (dir, bundled) =>
    readdirSync(dir).filter((f) => f.endsWith('.mc')).sort().map((f) => ({ name: f, path: join(dir, f), bundled }));
  const bundled = list(join(workflows, 'procedures'), true);
  if (bundled.length < 7) problems.push(`workflows: expected the 7 bundled procedures, found ${bundled.length}`);
  return [...bundled, ...list(fixtures, false)];
}

// What `motcua graph FILE --format FORMAT` writes.
export const draw = (motcua, path, format) =>
  execFileSync(motcua, ['graph', path, '--format', format], { encoding: 'utf8' });

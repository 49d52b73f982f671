// The example the product ships: a small resin formulation table (Shift_JIS, as Excel in
// Japan writes it), so a new user can see the whole flow in a minute.
import { repositories } from '../db/index.ts';
import { engine } from '../workers/engine.ts';

export async function openExample(name: string): Promise<string> {
  const response = await fetch('/examples/resin.csv');
  const bytes = new Uint8Array(await response.arrayBuffer());
  const { report } = await engine.call(undefined, 'readFile', bytes, {}, 0);
  const project = await repositories.projects.create(name);
  await repositories.datasets.add({
    projectId: project.id,
    name: 'resin',
    fileName: 'resin.csv',
    bytes,
    rowCount: report.rowCount,
    columnCount: report.columns.length,
  });
  return project.id;
}

// The accuracy table as CSV: one row per output with its cross-validated metrics and verdict.
import type { TrainReport } from '../../../shared/engine/train/train.ts';
import { verdictOf } from '../verdict.ts';
import { toCsv } from './csv.ts';

export function accuracyCsv(report: Pick<TrainReport, 'metrics' | 'rows'>): string {
  const header = ['output', 'r2', 'rmse', 'mae', 'coverage68', 'coverage95', 'std_rescaled', 'model', 'verdict', 'rows_used'];
  const rows = Object.entries(report.metrics).map(([name, m]) => [
    name,
    m.r2,
    m.rmse,
    m.mae,
    m.coverage68,
    m.coverage95,
    m.stdRescaled,
    m.model,
    verdictOf(m.r2, report.rows.used),
    report.rows.used,
  ]);
  return toCsv(header, rows);
}

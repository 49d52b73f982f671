// A plain-language verdict on a cross-validated output, for the accuracy screen.
export type Verdict = 'reliable' | 'fewRows' | 'careful' | 'poor';

export function verdictOf(r2: number, rows: number): Verdict {
  if (!(r2 >= 0.5)) return 'poor';
  if (rows < 30) return 'fewRows';
  return r2 >= 0.8 ? 'reliable' : 'careful';
}

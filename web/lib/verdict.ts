// A plain-language verdict on a cross-validated output, for the accuracy screen.
export type Verdict = 'reliable' | 'fewRows' | 'careful' | 'poor';

export function verdictOf(r2: number, rows: number): Verdict {
  if (!(r2 >= 0.5)) return 'poor';
  if (rows < 30) return 'fewRows';
  return r2 >= 0.8 ? 'reliable' : 'careful';
}

/** The model an output got, for tables: a candidate's name, or a blend with its weights. */
export function modelLabel(m: { readonly model: string; readonly blend?: readonly { readonly name: string; readonly weight: number }[] }): string {
  if (!m.blend || m.blend.length === 0) return m.model;
  return `${m.model} (${m.blend.map((member) => `${member.name} ${member.weight.toFixed(2)}`).join(', ')})`;
}

/**
 * The bracketed label BuildKit prints before a step's instruction (dockerfile2llb `prefixCommand`):
 * `[` + optional stage name + ` ` + index right-aligned to the width of the total + `/` + total + `]`.
 * Go formats the index with `%*d` and width `int(1+math.Log10(total))`, i.e. the digit count of the
 * total, so a 34-step stage prints `[ 2/34]` and `[stage-0  2/34]` (one separator space, one pad).
 */
export function formatStepLabel(stage: string | null, index: number, total: number, platform: string | null = null): string {
  const width = String(total).length;
  const padded = String(index).padStart(width, ' ');
  const prefix = (platform ? platform + ' ' : '') + (stage ? stage + ' ' : '');
  return `[${prefix}${padded}/${total}]`;
}

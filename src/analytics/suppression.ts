/**
 * Small-count suppression before anything leaves Rabta. Primary: every count
 * from 1 to 9 is withheld. Secondary (the UK statistics offices' rule): where a
 * published total would let anyone recover a withheld cell — a line (the cells
 * that add up to a total, and the total) with exactly one cell withheld — a
 * second cell of that line is withheld too, the smallest one, until no line
 * has exactly one. Cells are identified globally, so a total published in one
 * table and its parts in another are one line.
 */
export const SMALL_MIN = 1;
export const SMALL_MAX = 9;

export const isSmall = (n: number): boolean => n >= SMALL_MIN && n <= SMALL_MAX;

export interface Line {
  cells: readonly string[];
  total: string;
}

/** The ids of the cells to withhold. */
export function suppress(values: ReadonlyMap<string, number>, lines: readonly Line[]): Set<string> {
  const withheld = new Set<string>();
  for (const [id, n] of values) if (isSmall(n)) withheld.add(id);
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const members = [...line.cells, line.total];
      const hidden = members.filter((id) => withheld.has(id));
      if (hidden.length !== 1) continue;
      const next = complement(values, line, withheld);
      if (next === undefined) continue;
      withheld.add(next);
      changed = true;
    }
  }
  return withheld;
}

/** The cell that best protects a line: its smallest non-zero cell, else a zero cell, else its total. */
function complement(values: ReadonlyMap<string, number>, line: Line, withheld: ReadonlySet<string>): string | undefined {
  const open = line.cells.filter((id) => !withheld.has(id)).map((id) => ({ id, n: values.get(id) ?? 0 }));
  open.sort((a, b) => (a.n === 0 ? 1 : 0) - (b.n === 0 ? 1 : 0) || a.n - b.n || a.id.localeCompare(b.id));
  if (open[0]) return open[0].id;
  return withheld.has(line.total) ? undefined : line.total;
}

/** A line that gives a withheld cell away: exactly one withheld among its cells and total (the check the tests run on releases). */
export function recoverable(withheld: ReadonlySet<string>, lines: readonly Line[]): Line[] {
  return lines.filter((line) => [...line.cells, line.total].filter((id) => withheld.has(id)).length === 1);
}

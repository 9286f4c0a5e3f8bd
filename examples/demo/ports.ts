/**
 * The demo's side ports. Each follows the instance's PORT (so two demos on one
 * machine differ by PORT alone) unless its own variable is set; 0 takes a free
 * port. The registry's upstream and witness addresses follow whatever the
 * components got at this start.
 */
export interface DemoPorts {
  smsc: number;
  upstreams: number;
  /** NADRA's and HBL's witnesses */
  witnesses: { nadra: number; hbl: number };
}

/** What each variable moves, for `rabta config` and the README (kept in the config module's list too). */
export const DEMO_PORT_OFFSETS = { smsc: 1, upstreams: 2, witnessNadra: 3, witnessHbl: 4 } as const;

export function demoPorts(env: Record<string, string | undefined> = process.env): DemoPorts {
  const base = port(env.PORT, 'PORT') ?? 8080;
  const derived = (offset: number) => (base === 0 ? 0 : base + offset);
  const nadra = port(env.RABTA_DEMO_WITNESS_PORT, 'RABTA_DEMO_WITNESS_PORT') ?? derived(DEMO_PORT_OFFSETS.witnessNadra);
  return {
    smsc: port(env.RABTA_DEMO_SMSC_PORT, 'RABTA_DEMO_SMSC_PORT') ?? derived(DEMO_PORT_OFFSETS.smsc),
    upstreams: port(env.RABTA_DEMO_UPSTREAM_PORT, 'RABTA_DEMO_UPSTREAM_PORT') ?? derived(DEMO_PORT_OFFSETS.upstreams),
    // HBL's witness takes the next port; with 0 both take free ones.
    witnesses: { nadra, hbl: nadra === 0 ? 0 : nadra + 1 },
  };
}

function port(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65534) throw new Error(`${name} must be a port number (0 takes a free one), got "${raw}"`);
  return value;
}

/**
 * Runs a component's listen and, when it fails, says which component, where,
 * and which variable moves it — not a bare `EADDRINUSE` with an address alone.
 */
export async function listenAs<T>(component: string, host: string, port: number, variable: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const hint = code === 'EADDRINUSE' ? ` (another program, perhaps another demo, uses it: set ${variable}, or a different PORT)` : '';
    throw new Error(`${component} could not listen on ${host}:${port}: ${code}${hint}`, { cause: error });
  }
}

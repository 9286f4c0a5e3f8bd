import type { RollupRow } from './tables.js';

export interface NetworkEdge {
  a: string;
  b: string;
  /** exchanges + deliveries + joint cases between the two, either direction */
  weight: number;
}

export interface NetworkView {
  nodes: Array<{ id: string; weight: number }>;
  edges: NetworkEdge[];
  /** the edges of each day, for the network over time */
  series: Array<{ period: string; edges: NetworkEdge[] }>;
}

/** The measures an edge sums. */
export const NETWORK_MEASURES = ['exchange.call', 'event.delivered', 'case.joint'] as const;
const COLLABORATION = new Set<string>(NETWORK_MEASURES);

function edgesOf(rows: readonly RollupRow[]): NetworkEdge[] {
  const edges = new Map<string, NetworkEdge>();
  for (const r of rows) {
    if (!COLLABORATION.has(r.measure) || !r.member || !r.peer || r.member === r.peer) continue;
    const [a, b] = r.member < r.peer ? [r.member, r.peer] : [r.peer, r.member];
    const edge = edges.get(`${a}|${b}`) ?? { a, b, weight: 0 };
    edge.weight += r.n;
    edges.set(`${a}|${b}`, edge);
  }
  return [...edges.values()].sort((x, y) => y.weight - x.weight || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
}

/** Institutions as nodes, their collaborations as weighted edges, in total and day by day. */
export function networkView(dailyRows: readonly RollupRow[]): NetworkView {
  const edges = edgesOf(dailyRows);
  const nodes = new Map<string, number>();
  for (const e of edges) for (const id of [e.a, e.b]) nodes.set(id, (nodes.get(id) ?? 0) + e.weight);
  const periods = [...new Set(dailyRows.map((r) => r.period))].sort((x, y) => x - y);
  return {
    nodes: [...nodes.entries()].map(([id, weight]) => ({ id, weight })).sort((x, y) => y.weight - x.weight || x.id.localeCompare(y.id)),
    edges,
    series: periods.map((p) => ({ period: new Date(p).toISOString().slice(0, 10), edges: edgesOf(dailyRows.filter((r) => r.period === p)) })).filter((s) => s.edges.length > 0),
  };
}

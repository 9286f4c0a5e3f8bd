/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { digits } from '../i18n/format.js';
import type { Lang } from '../i18n/strings.js';
import { ScrollTable } from '../layout.js';
import { DASHBOARD_STRINGS } from './strings.js';

export type D = Record<keyof (typeof DASHBOARD_STRINGS)['en'], string>;

/** Counts from 1 to 9 are not published, as in open data: a small count can single a person out. */
export function suppressed(count: number): boolean {
  return count > 0 && count < 10;
}

/** A count as published: `< 10` for 1–9, in the reader's digits. */
export function shownCount(count: number, lang: Lang): string {
  return suppressed(count) ? digits('< 10', lang) : digits(count.toLocaleString('en-US'), lang);
}

/** A rate is withheld when either count it rests on is 1–9 (the rule of the open-data releases). */
export function rateWithheld(basis: { numerator: number; denominator: number } | undefined): boolean {
  return basis !== undefined && (suppressed(basis.numerator) || suppressed(basis.denominator));
}

export function shownPercent(value: number | null, basis: { numerator: number; denominator: number } | undefined, d: D, lang: Lang): string {
  if (value === null) return d.noData;
  if (rateWithheld(basis)) return d.withheld;
  return digits(`${value}%`, lang);
}

/** The numbers of a chart: the first cell of each row is its header. */
export function DataTable({ caption, heads, rows, numeric }: { caption: string; heads: string[]; rows: Array<{ key: string; cells: ComponentChildren[] }>; numeric: readonly number[] }) {
  return (
    <ScrollTable caption={caption} heads={heads} numeric={numeric}>
      {rows.map((r) => (
        <tr key={r.key} data-row={r.key}>
          {r.cells.map((c, i) =>
            i === 0 ? (
              <th scope="row" key={i}>
                {c}
              </th>
            ) : (
              <td class={numeric.includes(i) ? 'num' : undefined} key={i}>
                {c}
              </td>
            ),
          )}
        </tr>
      ))}
    </ScrollTable>
  );
}

/**
 * Horizontal bars, a picture of the table beside it: hidden from screen
 * readers, which read the table. A withheld value is a grey bar of no length
 * that means anything. SVG attributes, not style attributes: the CSP allows
 * no inline style.
 */
export function Bars({ rows, max }: { rows: Array<{ label: string; value: number | null; hidden?: boolean }>; max?: number }) {
  const top = max ?? Math.max(1, ...rows.map((r) => (r.hidden ? 0 : (r.value ?? 0))));
  return (
    <ul class="bars" aria-hidden="true">
      {rows.map((r) => (
        <li key={r.label}>
          <span>{r.label}</span>
          <svg class="bar-svg" viewBox="0 0 100 10" preserveAspectRatio="none" width="100%" height="18" focusable="false">
            <rect width="100" height="10" class="bar-track" />
            {r.hidden ? <rect width="12" height="10" class="bar-hidden" /> : <rect width={r.value ? Math.max(1, Math.round((r.value / top) * 100)) : 0} height="10" class="bar-shown" />}
          </svg>
        </li>
      ))}
    </ul>
  );
}

/** Columns over time (oldest first; mirrored with the page in Urdu, so time runs in reading order). */
export function Columns({ values, label }: { values: Array<{ value: number; hidden: boolean }>; label: string }) {
  const max = Math.max(1, ...values.map((v) => (v.hidden ? 0 : v.value)));
  const width = values.length * 10;
  return (
    <figure class="columns" aria-hidden="true">
      <figcaption>{label}</figcaption>
      <svg class="bar-svg" viewBox={`0 0 ${width} 100`} preserveAspectRatio="none" width="100%" height="96" focusable="false">
        <line x1="0" y1="100" x2={width} y2="100" class="axis" />
        {values.map((v, i) => {
          const h = v.hidden ? 12 : Math.round((v.value / max) * 100);
          return <rect key={i} x={i * 10 + 1.5} y={100 - h} width="7" height={h} class={v.hidden ? 'bar-hidden' : 'bar-shown'} />;
        })}
      </svg>
    </figure>
  );
}

/**
 * The network of institutions: nodes on a circle, each edge as thick as the
 * log of the work the pair does together; an edge of 1–9 is a thin dashed
 * line (its weight withheld). A picture of the pairs' table beside it.
 */
export function NetworkPicture({ nodes, edges, label }: { nodes: Array<{ id: string; weight: number }>; edges: Array<{ a: string; b: string; weight: number }>; label: (id: string) => string }) {
  const size = 420;
  const centre = size / 2;
  const radius = nodes.length > 1 ? 150 : 0;
  const at = new Map(nodes.map((n, i) => [n.id, { x: centre + radius * Math.sin((2 * Math.PI * i) / nodes.length), y: centre - radius * Math.cos((2 * Math.PI * i) / nodes.length) }]));
  const maxEdge = Math.max(1, ...edges.map((e) => e.weight));
  const maxNode = Math.max(1, ...nodes.map((n) => n.weight));
  const round = (x: number) => Math.round(x * 10) / 10;
  return (
    <svg class="network" viewBox={`0 0 ${size} ${size}`} width="100%" role="presentation" aria-hidden="true" focusable="false">
      {edges.map((e) => {
        const a = at.get(e.a);
        const b = at.get(e.b);
        if (!a || !b) return null;
        const small = suppressed(e.weight);
        return <line key={`${e.a}|${e.b}`} x1={round(a.x)} y1={round(a.y)} x2={round(b.x)} y2={round(b.y)} class={small ? 'edge small' : 'edge'} stroke-width={small ? 1.5 : round(1.5 + 8 * (Math.log1p(e.weight) / Math.log1p(maxEdge)))} />;
      })}
      {nodes.map((n) => {
        const p = at.get(n.id) as { x: number; y: number };
        const r = round(7 + 11 * (Math.log1p(n.weight) / Math.log1p(maxNode)));
        const below = p.y >= centre;
        return (
          <g key={n.id}>
            <circle cx={round(p.x)} cy={round(p.y)} r={r} class="node" />
            <text x={round(p.x)} y={round(below ? p.y + r + 16 : p.y - r - 6)} text-anchor="middle" class="node-label">
              {label(n.id)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

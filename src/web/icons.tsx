/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';

/**
 * Icons beside words, as inline SVG (no icon font, no extra request). They are
 * decorative: the word next to each carries the meaning, so they are hidden
 * from screen readers. Drawn with `currentColor`, so they follow the text's
 * contrast; shapes that point a direction are mirrored in RTL by the CSS.
 */
const PATHS = {
  money: 'M3 6h18v12H3zM7 12a5 5 0 0 0 10 0a5 5 0 0 0 -10 0M3 9h2M19 15h2',
  eye: 'M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM12 9a3 3 0 1 0 0 6a3 3 0 0 0 0-6z',
  check: 'M4 12l5 5L20 6',
  cross: 'M6 6l12 12M18 6L6 18',
  shield: 'M12 3l8 3v6c0 5-4 8-8 9-4-1-8-4-8-9V6z',
  bell: 'M6 17V11a6 6 0 0 1 12 0v6l2 2H4zM10 21h4',
  folder: 'M3 6h6l2 2h10v11H3z',
  door: 'M14 4H5v16h9M10 12h10M17 9l3 3-3 3',
  globe: 'M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18',
  key: 'M15 4a5 5 0 1 0 0 10a5 5 0 0 0 0-10zM11 11l-8 8M6 16l2 2',
  back: 'M15 5l-7 7 7 7',
  list: 'M8 6h13M8 12h13M8 18h13M3 6h1M3 12h1M3 18h1',
  chart: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  phone: 'M8 2h8v20H8zM11 18h2',
  warn: 'M12 3l10 18H2zM12 10v5M12 17v1',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, class: className }: { name: IconName; class?: string }) {
  return (
    <svg class={`icon${className ? ` ${className}` : ''}`} viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

/** A word with its icon before it (inline-start in either direction). */
export function WithIcon({ icon, children }: { icon: IconName; children: ComponentChildren }) {
  return (
    <span class="with-icon">
      <Icon name={icon} />
      <span>{children}</span>
    </span>
  );
}

/**
 * Colours and fonts of the views from the editor's theme. VS Code gives a webview its theme as `--vscode-*`
 * CSS variables and a body class (`vscode-light`, `vscode-dark`, `vscode-high-contrast`,
 * `vscode-high-contrast-light`); the standalone report sets the same variables itself. Pure: the caller
 * reads the variables (getComputedStyle) and passes a lookup.
 */
import type { TopLevelSpec } from 'vega-lite';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  readonly kind: ThemeKind;
  readonly foreground: string;
  readonly background: string;
  readonly muted: string;
  readonly grid: string;
  readonly font: string;
  /** Samples in a scatter. */
  readonly accent: string;
  /** The marked optimum and the truth's modes. */
  readonly mark: string;
  /** The theoretical curve. */
  readonly theory: string;
  /** One colour per line or bar group. */
  readonly categories: readonly string[];
}

/** Fallbacks where a variable is missing (VS Code's default Light+, Dark+ and high-contrast colours). */
const fallbacks: Record<ThemeKind, Omit<Palette, 'kind' | 'font'>> = {
  light: {
    foreground: '#3b3b3b',
    background: '#ffffff',
    muted: '#717171',
    grid: '#e5e5e5',
    accent: '#005fb8',
    mark: '#c72e0f',
    theory: '#6c6c6c',
    categories: ['#005fb8', '#c72e0f', '#388a34', '#bf8803', '#652d90', '#d18616', '#0c7d9d', '#b5200d'],
  },
  dark: {
    foreground: '#cccccc',
    background: '#1f1f1f',
    muted: '#9d9d9d',
    grid: '#3c3c3c',
    accent: '#3794ff',
    mark: '#f48771',
    theory: '#bbbbbb',
    categories: ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#b180d7', '#d18616', '#4fc1ff', '#f48771'],
  },
  'high-contrast': {
    foreground: '#ffffff',
    background: '#000000',
    muted: '#ffffff',
    grid: '#6fc3df',
    accent: '#3794ff',
    mark: '#f38518',
    theory: '#ffffff',
    categories: ['#3794ff', '#f38518', '#89d185', '#ffff00', '#b180d7', '#f14c4c', '#4fc1ff', '#ffffff'],
  },
  'high-contrast-light': {
    foreground: '#000000',
    background: '#ffffff',
    muted: '#292929',
    grid: '#0f4a85',
    accent: '#0f4a85',
    mark: '#b5200d',
    theory: '#000000',
    categories: ['#0f4a85', '#b5200d', '#388a34', '#7a5e00', '#652d90', '#d18616', '#0c7d9d', '#000000'],
  },
};

/** The theme kind from the body's classes. */
export function themeKindOf(classes: readonly string[]): ThemeKind {
  if (classes.includes('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.includes('vscode-high-contrast')) return 'high-contrast';
  if (classes.includes('vscode-dark')) return 'dark';
  return 'light';
}

/** The palette from a lookup of CSS variables (`--vscode-...` → value, '' when unset) and the theme kind. */
export function paletteFrom(cssVar: (name: string) => string, kind: ThemeKind): Palette {
  const f = fallbacks[kind];
  const v = (name: string, fallback: string): string => cssVar(name).trim() || fallback;
  const chart = ['blue', 'red', 'green', 'yellow', 'purple', 'orange'].map((c, i) =>
    v(`--vscode-charts-${c}`, f.categories[i]!),
  );
  return {
    kind,
    foreground: v('--vscode-editor-foreground', v('--vscode-foreground', f.foreground)),
    background: v('--vscode-editor-background', f.background),
    muted: v('--vscode-descriptionForeground', f.muted),
    grid: v('--vscode-charts-lines', f.grid),
    font: v('--vscode-font-family', 'system-ui, sans-serif'),
    accent: chart[0]!,
    mark: v('--vscode-charts-red', f.mark),
    theory: v('--vscode-charts-foreground', f.theory),
    categories: [...chart, ...f.categories.slice(chart.length)],
  };
}

/** Vega's config for a palette: transparent background (the page paints it), themed axes and legends. */
export function vegaConfig(p: Palette): Record<string, unknown> {
  const hc = p.kind.startsWith('high-contrast');
  const text = { labelColor: p.foreground, titleColor: p.foreground, labelFont: p.font, titleFont: p.font };
  return {
    background: 'transparent',
    font: p.font,
    title: {
      color: p.foreground,
      subtitleColor: p.muted,
      font: p.font,
      subtitleFont: p.font,
      anchor: 'start',
      fontSize: 13,
    },
    axis: {
      ...text,
      domainColor: p.muted,
      tickColor: p.muted,
      gridColor: p.grid,
      gridOpacity: hc ? 0.6 : 1,
      labelFontSize: 11,
    },
    legend: { ...text, labelLimit: 260 },
    header: { ...text, labelFontSize: 11 },
    view: { stroke: hc ? p.foreground : p.grid },
    range: { category: [...p.categories] },
    text: { color: p.foreground, font: p.font },
    line: { strokeWidth: hc ? 2.5 : 1.75 },
    rule: { color: p.muted },
  };
}

/** Replaces the palette placeholders (`var-accent`, `var-mark`, `var-theory`, `var-fg`) in a spec. */
export function themed(spec: TopLevelSpec, p: Palette): TopLevelSpec {
  const names: Record<string, string> = {
    'var-accent': p.accent,
    'var-mark': p.mark,
    'var-theory': p.theory,
    'var-fg': p.foreground,
  };
  // A structural copy that shares the (large, colourless) data arrays instead of copying them.
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return v in names ? names[v] : v;
    if (Array.isArray(v)) return key === 'values' ? v : v.map((x) => walk(x, ''));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(spec, '') as TopLevelSpec;
}

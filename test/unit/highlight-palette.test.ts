// Every token colour keeps 4.5:1 (WCAG AA, normal text) on the code block's background in
// its theme. The backgrounds are read from the widget's own design tokens (host-styles.ts),
// light and dark, background and surface: the code frame uses one of them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PALETTE, paletteCss } from '../../src/render/highlight/palette.js';

const KINDS = [
  'keyword',
  'string',
  'number',
  'comment',
  'function',
  'type',
  'builtin',
  'operator',
  'punctuation',
  'property',
  'tag',
  'attr',
  'variable',
  'regexp',
  'inserted',
  'deleted',
  'meta',
];

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The default of a `--pathors-chat-<name>` token in a block of host-styles.ts. */
function token(block: string, name: string): string {
  const value = block.match(new RegExp(`--pathors-chat-${name},\\s*(#[\\da-f]{6})\\)`, 'i'))?.[1];
  if (!value) throw new Error(`no default for --pathors-chat-${name}`);
  return value.toLowerCase();
}

const hostStyles = readFileSync(new URL('../../src/element/host-styles.ts', import.meta.url), 'utf8');
const darkBlock = hostStyles.slice(hostStyles.indexOf('const dark'), hostStyles.indexOf('export const hostStyles'));
const lightBlock = hostStyles.slice(hostStyles.indexOf(':host {'));
const BACKGROUNDS = {
  light: [token(lightBlock, 'background'), token(lightBlock, 'surface')],
  dark: [token(darkBlock, 'background'), token(darkBlock, 'surface')],
};

describe('highlight palette', () => {
  it('reads four distinct backgrounds from the design tokens', () => {
    expect(new Set([...BACKGROUNDS.light, ...BACKGROUNDS.dark]).size).toBe(4);
    // Light backgrounds are light, dark ones dark: the blocks were told apart.
    for (const bg of BACKGROUNDS.light) expect(luminance(bg)).toBeGreaterThan(0.7);
    for (const bg of BACKGROUNDS.dark) expect(luminance(bg)).toBeLessThan(0.1);
  });

  it('has a light and a dark colour for every kind', () => {
    expect(Object.keys(PALETTE).sort()).toEqual([...KINDS].sort());
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`keeps every kind at 4.5:1 or more on the ${theme} backgrounds`, () => {
      const failing: string[] = [];
      for (const [kind, colours] of Object.entries(PALETTE)) {
        const colour = colours[theme === 'light' ? 0 : 1];
        for (const bg of BACKGROUNDS[theme]) {
          const ratio = contrast(colour, bg);
          if (ratio < 4.5) failing.push(`${kind} ${colour} on ${bg}: ${ratio.toFixed(2)}`);
        }
      }
      expect(failing).toEqual([]);
    });
  }

  it('the stylesheet gives each kind its pair through a --pathors-chat-code-<kind> property a site may set', () => {
    const css = paletteCss();
    for (const [kind, [light, dark]] of Object.entries(PALETTE)) {
      expect(css).toContain(`.tok-${kind}{color:var(--pathors-chat-code-${kind},light-dark(${light},${dark}))}`);
    }
  });

  it('the API reference lists each of those properties with its default (custom-elements.json, docs/api.md)', () => {
    const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
      modules: { declarations?: { cssProperties?: { name: string; default?: string }[] }[] }[];
    };
    const listed = manifest.modules
      .flatMap((module) => module.declarations ?? [])
      .flatMap((declaration) => declaration.cssProperties ?? []);
    for (const [kind, [light, dark]] of Object.entries(PALETTE)) {
      expect(listed).toContainEqual(
        expect.objectContaining({ name: `--pathors-chat-code-${kind}`, default: `light-dark(${light}, ${dark})` }),
      );
    }
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_DOC_FILE, MANIFEST_FILE, customElements, generate, publicMembers } from '../../scripts/manifest.mjs';
import type { Manifest } from '../../scripts/manifest.mjs';
import { paletteCss } from '../../src/render/highlight/palette.js';

// The analyzer parses TypeScript: a few seconds on a busy machine.
const generated = await generate();
const manifest = JSON.parse(generated[MANIFEST_FILE]) as Manifest;
const api = generated[API_DOC_FILE];
const [entry] = customElements(manifest);
const element = entry!.element;

function committed(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : `(${file} is missing)`;
}

describe('custom-elements.json and docs/api.md', () => {
  it.each([MANIFEST_FILE, API_DOC_FILE])('%s matches the source (run `node scripts/manifest.mjs` if not)', (file) => {
    expect(committed(file)).toBe(generated[file as keyof typeof generated]);
  });

  it('package.json points tools at the manifest and publishes it', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { customElements?: string; files?: string[] };
    expect(pkg.customElements).toBe(MANIFEST_FILE);
    expect(pkg.files).toContain(MANIFEST_FILE);
  });

  it('declares one element, <pathors-chat>, in the module the package publishes', () => {
    expect(customElements(manifest)).toHaveLength(1);
    expect(element.tagName).toBe('pathors-chat');
    expect(entry!.module.path).toBe('dist/element/pathors-chat.js');
    expect(existsSync(entry!.module.path) || !existsSync('dist')).toBe(true);
  });

  it('lists the public API the element declares, and nothing internal', () => {
    const fields = publicMembers(element, 'field');
    const methods = publicMembers(element, 'method').map((method) => method.name);
    expect(element.attributes?.map((attribute) => attribute.name)).toEqual(
      expect.arrayContaining([
        'proxy-url',
        'mode',
        'open',
        'theme',
        'storage-key',
        'no-persist',
        'image-hosts',
        'max-length',
      ]),
    );
    // `state: true` (panelLoaded) is internal: no attribute, not public.
    expect(element.attributes?.some((attribute) => attribute.fieldName === 'panelLoaded')).toBe(false);
    expect(fields.map((field) => field.name)).not.toContain('panelLoaded');
    // Data are properties only.
    for (const name of ['tools', 'starters', 'strings', 'fetch']) {
      expect(fields.find((field) => field.name === name)?.attribute, name).toBeUndefined();
    }
    for (const field of fields) {
      expect(field.description, `${field.name} has JSDoc`).toBeTruthy();
      expect(field.type?.text, `${field.name} has a type`).toBeTruthy();
    }
    expect(methods).toEqual(expect.arrayContaining(['show', 'hide', 'toggle', 'send', 'stop', 'reset', 'focus']));
    for (const event of element.events ?? []) {
      expect(event.type?.text, `${event.name} has a detail type`).toMatch(/^CustomEvent<.+>$/);
    }
    expect(element.events?.length).toBeGreaterThan(0);
    expect(element.slots?.length).toBeGreaterThan(0);
    expect(element.cssParts?.length).toBeGreaterThan(0);
    for (const property of element.cssProperties ?? []) {
      expect(property.name).toMatch(/^--pathors-chat-/);
      expect(property.default, `${property.name} has a default`).toBeTruthy();
    }
  });

  it('docs/api.md names every attribute, property, event, method, slot, part and CSS property', () => {
    const row = (cell: string) => `| \`${cell}`;
    const names = [
      ...(element.attributes ?? []).map((item) => row(item.name)),
      ...publicMembers(element, 'field').map((item) => row(item.name)),
      ...publicMembers(element, 'method').map((item) => row(`${item.name}(`)),
      ...[element.events, element.slots, element.cssParts, element.cssProperties].flatMap((list) =>
        (list ?? []).map((item) => row(item.name)),
      ),
    ];
    const missing = names.filter((name) => !api.includes(name));
    expect(missing).toEqual([]);
    for (const property of element.cssProperties ?? []) {
      expect(api).toContain(`| \`${property.name}\` | \`${property.default}\` |`);
    }
  });

  it('documents every --pathors-chat-* custom property the styles read, and no other', () => {
    const read = new Set(
      [
        ...['src/element/host-styles.ts', 'src/element/panel-styles.ts'].map(committed),
        // The highlighter's stylesheet, built from its palette: one property per kind of token.
        paletteCss(),
      ].flatMap((css) => css.match(/--pathors-chat-[a-z]+(?:-[a-z]+)*/g) ?? []),
    );
    expect([...read].sort()).toEqual((element.cssProperties ?? []).map((property) => property.name).sort());
  });

  it('the README links to the API reference', () => {
    // The README is the front door; the reference it links to is this generated file.
    expect(committed('README.md')).toMatch(/\]\((\.\/)?docs\/api\.md(#[^)]*)?\)/);
  });
});

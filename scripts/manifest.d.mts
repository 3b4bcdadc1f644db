// Types for scripts/manifest.mjs, for the tests that import it (the scripts are plain JS).

/** The parts of a custom elements manifest (schema 1.0) that the reference reads. */
export interface ManifestType { text: string }
export interface ManifestMember {
  kind: 'field' | 'method';
  name: string;
  privacy?: 'public' | 'private' | 'protected';
  static?: boolean;
  readonly?: boolean;
  type?: ManifestType;
  default?: string;
  description?: string;
  attribute?: string;
  reflects?: boolean;
  parameters?: Array<{ name: string; optional?: boolean; type?: ManifestType }>;
  return?: { type?: ManifestType };
}
export interface ManifestNamed { name: string; description?: string; default?: string; type?: ManifestType; fieldName?: string }
export interface ManifestDeclaration {
  kind: string;
  name: string;
  customElement?: boolean;
  tagName?: string;
  summary?: string;
  description?: string;
  attributes?: ManifestNamed[];
  members?: ManifestMember[];
  events?: ManifestNamed[];
  slots?: ManifestNamed[];
  cssParts?: ManifestNamed[];
  cssProperties?: ManifestNamed[];
}
export interface ManifestModule {
  kind: 'javascript-module';
  path: string;
  declarations?: ManifestDeclaration[];
  exports?: Array<{ kind: string; name: string; declaration: { name: string; module?: string } }>;
}
export interface Manifest { schemaVersion: string; readme?: string; modules: ManifestModule[] }

export const MANIFEST_FILE: 'custom-elements.json';
export const API_DOC_FILE: 'docs/api.md';
export function analyze(): Promise<Manifest>;
export function generate(): Promise<Record<'custom-elements.json' | 'docs/api.md', string>>;
export function customElements(manifest: Manifest): Array<{ element: ManifestDeclaration; module: ManifestModule }>;
export function publicMembers(element: ManifestDeclaration, kind: 'field' | 'method'): ManifestMember[];
export function renderApiDoc(manifest: Manifest, detailInterfaces: Array<{ name: string; text: string }>): string;

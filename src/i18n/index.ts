import { en, type PanelStrings } from './en.js';
import { launcherTables, languageOf, type Language, type LauncherStrings } from './launcher.js';

/** Every visible string. A page overrides any of them with the element's `strings` property. */
export type Strings = LauncherStrings & PanelStrings;

/** English ships with the panel; other languages are loaded (`addLanguage`) only by pages that use them. */
const panelTables: Partial<Record<Language, PanelStrings>> = { en };

export function addLanguage(language: Language, table: PanelStrings): void {
  panelTables[language] = table;
}

/** The table for a BCP 47 language tag, with the page's overrides on top. */
export function stringsFor(lang: string | undefined, overrides?: Partial<Strings>): Strings {
  const language = languageOf(lang);
  return { ...launcherTables[language], ...(panelTables[language] ?? en), ...overrides };
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

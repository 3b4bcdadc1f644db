import { en, type PanelStrings } from './en.js';
import { launcherTables, languageOf, type Language, type LauncherStrings } from './launcher.js';

/** Every visible string. A page overrides any of them with the element's `strings` property. */
export type Strings = LauncherStrings & PanelStrings;

/**
 * Other languages are loaded (`addLanguage`) only by pages that use them. English ships with the
 * panel, but for the strings only a turn that ran can show (en-turn.ts), which load with the send
 * chunk, and the storage notices (en-storage.ts), which load when one shows: each part is added
 * to the English table as it comes.
 */
const panelTables: Partial<Record<Language, PanelStrings>> = {};

/** Adds a language's table, or strings to the one it has. */
export function addLanguage(language: Language, table: Partial<PanelStrings>): void {
  panelTables[language] = { ...(panelTables[language] ?? en), ...table } as PanelStrings;
}

/**
 * The table for a BCP 47 language tag, with the page's overrides on top. English lacks the
 * strings of en-turn.ts until they are loaded, which is before any turn starts: nothing can
 * ask for them sooner. It lacks those of en-storage.ts until the panel, having a notice to
 * show, loaded them.
 */
export function stringsFor(lang: string | undefined, overrides?: Partial<Strings>): Strings {
  const language = languageOf(lang);
  return { ...launcherTables[language], ...(panelTables[language] ?? en), ...overrides } as Strings;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

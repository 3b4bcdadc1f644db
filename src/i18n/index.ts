import { en, type Strings } from './en.js';
import { zhTW } from './zh-tw.js';

export type { Strings };

const tables: Record<string, Strings> = { en, 'zh-tw': zhTW };

/**
 * The table for a BCP 47 language tag: `zh-TW`, `zh-Hant` and `zh-HK` read
 * Traditional Chinese; anything else falls back to English.
 */
export function stringsFor(lang: string | undefined, overrides?: Partial<Strings>): Strings {
  const tag = (lang ?? '').toLowerCase();
  const base = /^zh-(tw|hk|mo|hant)/.test(tag) ? tables['zh-tw']! : tables[tag.split('-')[0] ?? ''] ?? en;
  return overrides ? { ...base, ...overrides } : base;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

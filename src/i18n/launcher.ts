/**
 * The few strings the launcher needs before the panel loads, in every
 * language: they ship in the first, small script; the rest load with the panel.
 */
export const launcherTables = {
  en: { title: 'Chat', openChat: 'Open chat', openChatUnread: 'Open chat (new reply)', closeChat: 'Close chat' },
  'zh-tw': { title: '聊天', openChat: '開啟聊天', openChatUnread: '開啟聊天（新回覆）', closeChat: '關閉聊天' },
};

export type LauncherStrings = (typeof launcherTables)['en'];
export type Language = keyof typeof launcherTables;

/** `zh-TW`, `zh-Hant` and `zh-HK` read Traditional Chinese; anything else falls back to English. */
export function languageOf(lang: string | undefined): Language {
  return /^zh-(tw|hk|mo|hant)/i.test(lang ?? '') ? 'zh-tw' : 'en';
}

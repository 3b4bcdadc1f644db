import { describe, expect, it } from 'vitest';
import { ChatError } from '../../src/core/errors.js';
import { en } from '../../src/i18n/en.js';
import { enStorage } from '../../src/i18n/en-storage.js';
import { enTurn } from '../../src/i18n/en-turn.js';
import { addLanguage, format, stringsFor } from '../../src/i18n/index.js';
import { zhTW } from '../../src/i18n/zh-tw.js';

describe('i18n', () => {
  it('reads English until the Chinese table is loaded, but labels the launcher in Chinese at once', () => {
    expect(stringsFor('zh-TW').openChat).toBe('開啟聊天');
    expect(stringsFor('zh-TW').send).toBe('Send');
  });

  it('picks Traditional Chinese for zh-TW, zh-Hant and zh-HK, English otherwise', () => {
    addLanguage('zh-tw', zhTW);
    expect(stringsFor('zh-TW').send).toBe('傳送');
    expect(stringsFor('zh-Hant-TW').send).toBe('傳送');
    expect(stringsFor('zh-HK').send).toBe('傳送');
    expect(stringsFor('fr-FR').send).toBe('Send');
    expect(stringsFor(undefined).send).toBe('Send');
  });

  it('lets the page override any string', () => {
    expect(stringsFor('en', { send: 'Go' }).send).toBe('Go');
    expect(stringsFor('en', { send: 'Go' }).stop).toBe('Stop');
  });

  it('ships, with the panel, the English for every error a visitor meets without the send chunk; the rest comes with it', () => {
    // Without the send chunk a turn can only fail to start: the chunk did not load, or proxy-url is missing.
    const withPanel = stringsFor('en');
    expect(withPanel[new ChatError('network', '').messageKey]).toBe(en.errorNetwork);
    expect(withPanel[new ChatError('config', '').messageKey]).toBe(en.errorConfig);
    expect(withPanel.notSent).toBe('Not sent');
    // What only a turn that ran can show is not in the panel's table.
    expect(Object.keys(enTurn).filter((key) => key in withPanel)).toEqual([]);
    addLanguage('en', { ...en, ...enTurn });
    expect(stringsFor('en')[new ChatError('timeout', '').messageKey]).toBe(enTurn.errorTimeout);
    expect(stringsFor('en').send).toBe('Send');
  });

  it('leaves the storage notices out of the English the panel ships; each part loaded is added to it', () => {
    expect(Object.keys(enStorage).filter((key) => key in stringsFor('en'))).toEqual([]);
    addLanguage('en', enTurn);
    addLanguage('en', enStorage);
    const english = stringsFor('en');
    expect(english.notSavedFull).toBe(enStorage.notSavedFull);
    expect(english.errorTimeout).toBe(enTurn.errorTimeout);
    expect(english.send).toBe('Send');
  });

  it('fills placeholders', () => {
    expect(format(stringsFor('en').errorRateLimited, { seconds: 7 })).toBe(
      'Too many messages at once. Please wait 7 seconds, then try again.',
    );
  });
});

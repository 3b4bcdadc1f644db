/**
 * The English notices of a browser that cannot keep the conversation: storage blocked, full, or
 * holding one it cannot read. Rare, so not in the panel: the panel fetches them the first time
 * it has one to show (see chat-panel.ts).
 */
export const enStorage = {
  notSavedBlocked: 'This browser blocks storage: the conversation ends when you leave the page.',
  notSavedFull: 'Storage is full, so this conversation is not saved on this device.',
  notSavedCorrupt: 'The saved conversation could not be read, so it starts afresh here.',
};

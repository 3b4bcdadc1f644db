import type { enStorage } from './en-storage.js';
import type { enTurn } from './en-turn.js';

/**
 * The English strings of the panel, but for those only a turn that ran can show (en-turn.ts)
 * and the notices of a browser that cannot keep the conversation (en-storage.ts).
 * `{name}` marks a value filled in.
 */
export const en = {
  newConversation: 'New conversation',
  you: 'You',
  assistant: 'Assistant',
  composerLabel: 'Message',
  placeholder: 'Type a message…',
  send: 'Send',
  stop: 'Stop',
  typing: 'The assistant is typing…',
  jumpToLatest: 'Jump to latest',
  copy: 'Copy',
  copyMessage: 'Copy message',
  copied: 'Copied',
  goodReply: 'Good reply',
  badReply: 'Bad reply',
  earlierMessages: 'Show {count} earlier messages',
  notSent: 'Not sent',
  regenerate: 'Regenerate',
  conversationCleared: 'Conversation cleared',
  undo: 'Undo',
  retry: 'Retry',
  stopped: 'Stopped',
  interrupted: 'This reply was cut off.',
  truncated: 'The rest of this reply is too long to show.',
  usedTool: 'Used {tool}',
  characterCount: '{count} of {max} characters',
  suggestions: 'Suggestions',
  errorNetwork: 'The chat service cannot be reached. Check your connection, then try again.',
  errorConfig: 'This chat is not set up yet: the proxy-url attribute is missing.',
};

/** The shape every language table follows. */
export type PanelStrings = typeof en & typeof enTurn & typeof enStorage;

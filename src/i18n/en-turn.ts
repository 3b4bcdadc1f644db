/**
 * The English strings for what only a turn that ran can show: the errors the send path meets,
 * a finished reply (announced), a page tool running. They load with the send chunk, and a turn
 * starts only once they are in (see chat-panel.ts), so they are there whenever one is shown. The
 * errors a visitor can meet without the send chunk (it did not load; no proxy-url) stay in en.ts.
 */
export const enTurn = {
  runningTool: 'Running {tool}…',
  replyFinished: 'Reply from the assistant: {text}',
  errorOffline: 'You are offline. Check your connection, then try again.',
  errorTimeout: 'The chat service is taking too long to answer. Try again in a moment.',
  errorRateLimited: 'Too many messages at once. Please wait {seconds} seconds, then try again.',
  errorServer: 'The chat service had a problem ({status}). Please try again.',
  errorClient: 'The chat service refused the message ({status}). {detail}',
  errorSession: 'This chat session is no longer valid. Start a new conversation.',
  errorInterrupted: 'The connection dropped before the reply was finished.',
  errorMalformed: 'The chat service sent an answer that cannot be read.',
  errorEmpty: 'The assistant sent an empty reply. Please try again.',
  errorToolLimit: 'The assistant kept calling page tools, so this reply was stopped.',
};

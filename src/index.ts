/**
 * `pathors-chat`: importing this module registers `<pathors-chat>`.
 * @packageDocumentation
 */
import './element/define.js';

export { PathorsChat } from './element/pathors-chat.js';
export type { ChatMode, ChatPosition, ChatTheme } from './element/pathors-chat.js';
export type {
  ChatMessageDetail,
  PathorsErrorDetail,
  PathorsFeedbackDetail,
  PathorsMessageDetail,
  PathorsSendDetail,
  PathorsSessionDetail,
  PathorsToolCallDetail,
} from './element/events.js';
export type { PageTool } from './core/tools.js';
export type { ErrorCode } from './core/errors.js';
export type { Strings } from './i18n/index.js';
export type { JsonSchema } from './core/wire.js';

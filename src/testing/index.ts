/**
 * `pathors-chat/testing`: a local fake of the Pathors API for your tests and demos.
 *
 * It serves chat completions (streamed or not, with tool calls) and the session API on both host
 * layouts, replies from a script, remembers sessions, and injects faults on request. Like real
 * chat APIs, it refuses (400) a turn while a tool call of the session has no result. It also
 * answers `/__fake/requests`, `/__fake/reset` and `/__fake/fault` (no auth, CORS open) for browser
 * tests; those routes exist only on the fake.
 *
 * @example
 * import { startFakeUpstream } from 'pathors-chat/testing';
 * const fake = await startFakeUpstream({ script: [{ match: /refund/i, reply: 'Refunds take **5 days**.' }] });
 * fake.injectFault('drop-mid-stream');
 * // ... point your proxy or client at fake.v1ChatCompletionsUrl with `Bearer ${fake.apiKey}` ...
 * await fake.close();
 *
 * @packageDocumentation
 */
export { startFakeUpstream } from './server.js';
export { defaultScript, callMentionedTools, summariseToolResults, echoReply } from './default-script.js';
export { splitIntoTokens } from './tokenize.js';
export { sampleFromSchema } from './sample-args.js';
export { FAULTS } from './types.js';
export type {
  FakeSession,
  FakeUpstream,
  FakeUpstreamOptions,
  Fault,
  FaultOptions,
  RecordedRequest,
  ScriptContext,
  ScriptRule,
  ScriptedToolCall,
  ToolResult,
} from './types.js';

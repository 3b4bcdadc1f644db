// The benchmark's reply, in plain JavaScript so that both the Node scripts (scripts/bench-browser.mjs)
// and the TypeScript tests (through render.bench.ts) use the very same text.
/** A deterministic reply with every construct a chat answer uses, about `bytes` long. */
export function sampleReply(bytes = 80_000) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = [
      `## Step ${i + 1}: configure the *service* and **check** it\n`,
      `This paragraph explains step ${i + 1} with \`inline code\`, a [link](https://example.com/docs/${i} "Docs"), ` +
        `some _emphasis_, ~~old text~~ and a long sentence that keeps going so the paragraph wraps over ` +
        `several lines in the chat panel, like a real answer would.\nA second line follows a soft break.\n`,
      `- first item with **bold**\n- second item with \`code\`\n  - nested item\n- third item\n`,
      `1. Install the package\n2. Run the command\n3. Read the [output](https://example.com/out)\n`,
      '```ts\n' +
        `export function step${i}(input: string): number {\n  const parts = input.split(',');\n` +
        `  return parts.map((p) => p.trim().length).reduce((a, b) => a + b, 0);\n}\n` +
        '```\n',
      `| Option | Default | Meaning |\n| :--- | :---: | ---: |\n| \`retries\` | 3 | attempts |\n` +
        `| \`timeout\` | 30 s | per request |\n| \`mode\` | auto | *how* it runs |\n`,
      `> **Note:** step ${i + 1} is safe to repeat.\n> It changes nothing the second time.\n`,
    ].join('\n');
    parts.push(part);
    size += part.length + 1;
  }
  return parts.join('\n');
}

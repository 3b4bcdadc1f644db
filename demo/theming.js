// The playground's controls: one per public CSS custom property.
const properties = [
  ['--pathors-chat-accent', 'color', '#2563eb'],
  ['--pathors-chat-accent-text', 'color', '#ffffff'],
  ['--pathors-chat-background', 'color', '#ffffff'],
  ['--pathors-chat-surface', 'color', '#f1f5f9'],
  ['--pathors-chat-text', 'color', '#0f172a'],
  ['--pathors-chat-muted', 'color', '#475569'],
  ['--pathors-chat-border', 'color', '#cbd5e1'],
  ['--pathors-chat-link', 'color', '#1d4ed8'],
  ['--pathors-chat-launcher-background', 'color', '#2563eb'],
  ['--pathors-chat-launcher-color', 'color', '#ffffff'],
  ['--pathors-chat-font', 'text', 'system-ui, sans-serif'],
  ['--pathors-chat-font-size', 'text', '15px'],
  ['--pathors-chat-radius', 'text', '16px'],
  ['--pathors-chat-width', 'text', '400px'],
  ['--pathors-chat-height', 'text', '640px'],
  ['--pathors-chat-offset', 'text', '20px'],
  ['--pathors-chat-launcher-size', 'text', '56px'],
  ['--pathors-chat-z-index', 'text', '2147480000'],
];
const form = document.querySelector('#controls');
const chat = document.querySelector('pathors-chat');
const output = document.querySelector('#css');
const changed = new Map();

for (const [name, type, value] of properties) {
  const label = document.createElement('label');
  label.textContent = name;
  const input = document.createElement('input');
  input.type = type;
  input.value = value;
  input.addEventListener('input', () => {
    document.documentElement.style.setProperty(name, input.value);
    changed.set(name, input.value);
    render();
  });
  label.append(input);
  form.append(label);
}
form.querySelector('#theme').addEventListener('change', (event) => {
  chat.theme = event.target.value;
  render();
});
form.querySelector('#position').addEventListener('change', (event) => {
  chat.position = event.target.value;
  render();
});

function render() {
  const lines = [...changed].map(([name, value]) => `  ${name}: ${value};`);
  output.textContent =
    `:root {\n${lines.join('\n') || '  /* change a control */'}\n}\n` +
    `/* <pathors-chat theme="${chat.theme}" position="${chat.position}"> */`;
}
document.querySelector('#copy').addEventListener('click', async () => {
  await navigator.clipboard.writeText(output.textContent);
  document.querySelector('#copied').textContent = 'Copied';
});
chat.welcome = 'Change the controls and watch me change.';
render();

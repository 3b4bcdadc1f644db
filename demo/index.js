// Data goes in as properties: starters, a welcome message and a page tool.
const chat = document.querySelector('pathors-chat');
chat.welcome = 'Hi! I am the **Acme** assistant. Ask me about gear, orders or returns.';
chat.starters = ['What tents do you have?', 'Show me a table of packs', 'Write some code'];
// The agent may call this page's functions: try "use get_cart".
chat.tools = [
  {
    name: 'get_cart',
    description: "The items in the visitor's cart.",
    parameters: { type: 'object', properties: {} },
    handler: () => ['Trail tent (1)', 'Headlamp (2)'],
  },
];

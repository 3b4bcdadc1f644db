// Data goes in as properties: starters and a welcome message.
const chat = document.querySelector('pathors-chat');
chat.welcome = 'Hi! I am the **Acme** assistant. Ask me about gear, orders or returns.';
chat.starters = ['What tents do you have?', 'Show me a table of packs', 'Write some code'];

const chat = document.querySelector('pathors-chat');
chat.welcome = 'Welcome to the **help centre**. What can I help you with?';
chat.starters = ['How do returns work?', 'Show me a table of packs', 'Write some code'];

const chat = document.querySelector('pathors-chat');
const cart = document.querySelector('#cart');
const log = document.querySelector('#log');
const write = (line) => {
  log.textContent += `${new Date().toLocaleTimeString()}  ${line}\n`;
};

chat.tools = [
  {
    name: 'get_cart',
    description: "The items in the visitor's cart.",
    parameters: { type: 'object', properties: {} },
    handler: () => [...cart.children].map((item) => item.textContent),
  },
  {
    name: 'add_to_cart',
    description: 'Adds a product to the cart.',
    parameters: {
      type: 'object',
      properties: { product: { type: 'string' }, quantity: { type: 'integer' } },
      required: ['product'],
    },
    handler: ({ product, quantity = 1 }) => {
      const item = document.createElement('li');
      item.textContent = `${product} (${quantity})`;
      cart.append(item);
      return { ok: true, cart: [...cart.children].map((entry) => entry.textContent) };
    },
  },
];

chat.addEventListener('pathors-tool-call', (event) => {
  write(`tool call: ${event.detail.name}(${JSON.stringify(event.detail.arguments)})`);
  if (event.detail.name === 'add_to_cart' && document.querySelector('#confirm').checked) {
    // Ask the visitor; the agent hears "declined" if they say no.
    event.detail.waitUntil(
      Promise.resolve(confirm(`Let the assistant add ${event.detail.arguments.product} to your cart?`)),
    );
  }
});
for (const type of ['pathors-send', 'pathors-message', 'pathors-error', 'pathors-session']) {
  chat.addEventListener(type, (event) => write(`${type}: ${JSON.stringify(event.detail).slice(0, 120)}`));
}

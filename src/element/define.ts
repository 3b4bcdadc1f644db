import { PathorsChat } from './pathors-chat.js';

// A page may load the script twice (a CMS snippet and a bundle); the second define would throw.
if (!customElements.get('pathors-chat')) customElements.define('pathors-chat', PathorsChat);

declare global {
  interface HTMLElementTagNameMap {
    'pathors-chat': PathorsChat;
  }
}

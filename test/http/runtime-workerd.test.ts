/** The proxy's conformance suite on workerd via Miniflare (Worker snippet, Durable Object store): docs/snippets run for real. */
import { conformanceSuite } from '../runtimes/conformance.js';
import { startWorkerd } from '../runtimes/launch.js';

conformanceSuite('workerd via Miniflare (Worker snippet, Durable Object store)', startWorkerd);

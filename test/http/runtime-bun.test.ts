/** The proxy's conformance suite on Bun (Bun.serve snippet): docs/snippets run for real. */
import { conformanceSuite } from '../runtimes/conformance.js';
import { startBun } from '../runtimes/launch.js';

conformanceSuite('Bun (Bun.serve snippet)', startBun);

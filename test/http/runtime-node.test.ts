/** The proxy's conformance suite on Node (Express snippet): docs/snippets run for real. */
import { conformanceSuite } from '../runtimes/conformance.js';
import { startExpress } from '../runtimes/launch.js';

conformanceSuite('Node (Express snippet)', startExpress);

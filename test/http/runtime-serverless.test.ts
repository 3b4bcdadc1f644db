/** The proxy's conformance suite on Node (serverless route snippet): docs/snippets run for real. */
import { conformanceSuite } from '../runtimes/conformance.js';
import { startServerless } from '../runtimes/launch.js';

conformanceSuite('Node (serverless route snippet)', startServerless);

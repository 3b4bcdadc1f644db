/** The proxy's conformance suite on Deno (Deno.serve snippet): docs/snippets run for real. */
import { conformanceSuite } from '../runtimes/conformance.js';
import { startDeno } from '../runtimes/launch.js';

conformanceSuite('Deno (Deno.serve snippet)', startDeno);

/** Flags for Chromium as root on a machine with no route out: without the
 * background-networking family it floods the closed network with connections. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

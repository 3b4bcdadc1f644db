/**
 * How long a tab's mark on a turn it has in flight stands without a refresh before other tabs and
 * pages take that tab for gone. Its own module: the element reads marks before the panel (and
 * the conversation, whose default this is) has loaded.
 */
export const STALE_TURN_MS = 15_000;

export { CHROMIUM_ARGS } from '../../scripts/find-chromium.mjs';

import type { Plugin } from 'vite';
export function mangleRenderProps(): Plugin;

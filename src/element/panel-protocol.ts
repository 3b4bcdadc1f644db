import type { PageTool } from '../core/tools.js';
import type { Language } from '../i18n/launcher.js';
import type { Strings } from '../i18n/index.js';
import type { PathorsChatDetail, PathorsChatEventMap } from './events.js';

/**
 * What `<pathors-chat>` hands its panel: a copy of its own properties (see there what each
 * means), as one object the host makes anew only when one of them changed.
 */
export interface PanelConfig {
  proxyUrl: string;
  storageKey: string;
  noPersist: boolean;
  history: 'turn' | 'full';
  tools: readonly PageTool[];
  requestHeaders: Record<string, string> | (() => Record<string, string>) | undefined;
  fetch: typeof fetch | undefined;
  firstByteTimeout: number;
  maxToolRounds: number;
  imageHosts: readonly string[];
  maxLength: number;
  starters: readonly string[];
  welcome: string;
  title: string;
  statusText: string;
  strings: Partial<Strings>;
  mode: 'bubble' | 'inline';
  open: boolean;
  /** The language whose table has loaded (a Chinese page never shows English first). */
  panelLanguage: Language;
}

/** What the panel asks the host to announce: each of the host's events but `pathors-open`. */
export type PanelRequests = Omit<{ [K in keyof PathorsChatEventMap]: PathorsChatDetail<K> }, 'pathors-open'>;
export type PanelRequestName = keyof PanelRequests;

/** The one internal event type, heard by the host on the panel element. */
export const PANEL_REQUEST = 'panel-request';

/**
 * The panel telling its host what happened. Neither bubbling nor composed: it never leaves
 * the host's shadow root. The host fires the public event; if the page cancels it, the host
 * cancels this one, which is how a cancelable request comes back refused.
 */
export class PanelRequest<K extends PanelRequestName = PanelRequestName> extends Event {
  readonly name: K;
  readonly detail: PanelRequests[K];

  constructor(name: K, detail: PanelRequests[K], cancelable: boolean) {
    super(PANEL_REQUEST, { cancelable });
    this.name = name;
    this.detail = detail;
  }
}

declare global {
  interface HTMLElementEventMap {
    [PANEL_REQUEST]: PanelRequest;
  }
}

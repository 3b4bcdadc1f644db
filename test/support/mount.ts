/** What a test put on the page; `removeMounted` (an `afterEach`) takes it all off again. */
export const mounted: Element[] = [];

/** A fresh `div` on the page, for a renderer to fill. */
export function mount(): HTMLElement {
  const div = document.createElement('div');
  document.body.append(div);
  mounted.push(div);
  return div;
}

export function removeMounted(): void {
  mounted.splice(0).forEach((element) => element.remove());
}

// Vite's `?raw` imports give a file's text; the browser tests read fixtures this way.
declare module '*?raw' {
  const text: string;
  export default text;
}

// The renderer's internal fields end in `_` (`depth_`, `fence_`), and so do the members of a
// conversation that only it and the send chunk use (`turn_`, `save_`): readable in the source,
// and renamed here to one letter (then `$` and a number) in the script-tag builds, since
// a minifier keeps property names as written. One letter is safe: the objects that carry
// these fields (blocks, nodes, delimiters, contexts, a conversation) have no other field of
// one letter. Rolldown's own `mangleProps` needs a single output chunk;
// the module build is split, so the names are mapped in the source, one map per build
// (the same name gets the same short name in every file).
// Only files under src/render/ (the highlighter excepted) and src/core/{conversation,turn}.ts
// are touched, and only names
// ending in `_` that start with a lower-case letter: nothing public ends that way, and
// no variable may (renamed to a letter, it could clash with another variable).

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** @returns {import('vite').Plugin} */
export function mangleRenderProps() {
  const names = new Map();
  return {
    name: 'pathors-chat:mangle-render-props',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/src\/(?:render\/(?!highlight\/)[\w/-]+|core\/(?:conversation|turn))\.ts$/.test(id)) return null;
      return {
        code: code.replace(/\b[a-z][A-Za-z\d]*_(?![\w$])/g, (name) => {
          if (!names.has(name)) {
            // Its own initial if free (what a person would abbreviate it to), else the next free letter.
            const taken = new Set(names.values());
            const short =
              [name[0], name[0].toUpperCase(), ...LETTERS].find((l) => !taken.has(l)) ?? '$' + names.size.toString(36);
            names.set(name, short);
          }
          return names.get(name);
        }),
        map: null,
      };
    },
  };
}

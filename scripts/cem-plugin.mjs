// Analyzer plugin for the element's plain-Lit style (`static properties` and `declare`
// fields, no decorators), used by custom-elements-manifest.config.mjs.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Fills in what `@custom-elements-manifest/analyzer --litelement` (0.11) misses:
 *
 * - A `static properties` entry with `state: true` is internal reactive state, but the
 *   analyzer's Lit plugin reads only `attribute:` and so lists it as an attribute.
 * - `@fires` tags carry no detail type; the element declares its events once, in the
 *   `PathorsChatEventMap` of `eventMapFile`, so each event's type is taken from there,
 *   and an event fired in one place but undocumented in the other is an error.
 * - Module paths name the analyzed TypeScript; the schema wants the JavaScript a user imports,
 *   so `modulePath` maps each one (and each reference to it) to the published file.
 *
 * @param {{ eventMapFile: string, modulePath?: (path: string) => string }} options
 */
export function pathorsPlugin({ eventMapFile, modulePath = (path) => path }) {
  return {
    name: 'pathors-chat: lit static properties and event types',
    analyzePhase({ ts: tsApi, node, moduleDoc }) {
      if (!tsApi.isClassDeclaration(node) || !node.name) return;
      const declaration = moduleDoc.declarations?.find((item) => item.name === node.name?.text);
      if (!declaration) return;
      for (const name of stateProperties(tsApi, node)) {
        declaration.attributes = declaration.attributes?.filter((attribute) => attribute.fieldName !== name);
        const member = declaration.members?.find((item) => item.name === name);
        if (member) {
          delete member.attribute;
          delete member.reflects;
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      const { events } = readEventMap(eventMapFile);
      for (const module of customElementsManifest.modules) {
        module.path = modulePath(module.path);
        for (const item of module.exports ?? []) {
          if (item.declaration.module) item.declaration.module = modulePath(item.declaration.module);
        }
        for (const declaration of module.declarations ?? []) {
          if (!declaration.customElement) continue;
          const documented = new Set((declaration.events ?? []).map((event) => event.name));
          for (const event of declaration.events ?? []) {
            const type = events.get(event.name);
            if (!type)
              throw new Error(`@fires ${event.name} on ${declaration.name} is not declared in ${eventMapFile}`);
            event.type = { text: type };
          }
          const undocumented = [...events.keys()].filter((name) => !documented.has(name));
          if (undocumented.length) {
            throw new Error(
              `${eventMapFile} declares ${undocumented.join(', ')} but ${declaration.name} has no @fires for it`,
            );
          }
        }
      }
    },
  };
}

/** Names in a class's `static properties` whose options say `state: true`. */
function stateProperties(tsApi, classNode) {
  const names = [];
  for (const member of classNode.members) {
    const isStatic =
      tsApi.canHaveModifiers(member) &&
      tsApi.getModifiers(member)?.some((modifier) => modifier.kind === tsApi.SyntaxKind.StaticKeyword);
    if (!isStatic || !tsApi.isPropertyDeclaration(member) || member.name.getText() !== 'properties') continue;
    const object = member.initializer;
    if (!object || !tsApi.isObjectLiteralExpression(object)) continue;
    for (const property of object.properties) {
      if (!tsApi.isPropertyAssignment(property) || !tsApi.isObjectLiteralExpression(property.initializer)) continue;
      const isState = property.initializer.properties.some(
        (option) =>
          tsApi.isPropertyAssignment(option) &&
          option.name.getText() === 'state' &&
          option.initializer.kind === tsApi.SyntaxKind.TrueKeyword,
      );
      if (isState) names.push(property.name.getText());
    }
  }
  return names;
}

/**
 * Reads the module that declares the element's events.
 *
 * @param {string} file
 * @returns {{ events: Map<string, string>, interfaces: Array<{ name: string, text: string }> }}
 *   `events`: event name -> type text from `PathorsChatEventMap`, in source order;
 *   `interfaces`: each exported interface (the detail types) with its JSDoc, as written. An
 *   exported alias of an interface imported from another module (`export type A = B`) is shown
 *   as that interface under the alias's name, so a detail type the core already declares is
 *   written once and still documented in full.
 */
export function readEventMap(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const events = new Map();
  const interfaces = [];
  const imported = new Map();
  const isExported = (node) => node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
  const visit = (node) => {
    if (
      ts.isImportDeclaration(node) &&
      node.importClause?.namedBindings &&
      ts.isNamedImports(node.importClause.namedBindings)
    ) {
      for (const element of node.importClause.namedBindings.elements)
        imported.set(element.name.text, {
          name: (element.propertyName ?? element.name).text,
          file: resolve(dirname(file), node.moduleSpecifier.text.replace(/\.js$/, '.ts')),
        });
    }
    if (ts.isTypeAliasDeclaration(node) && isExported(node) && ts.isTypeReferenceNode(node.type)) {
      const target = imported.get(node.type.typeName.getText());
      if (target) interfaces.push({ name: node.name.text, text: aliasedInterface(node, target) });
    }
    if (ts.isInterfaceDeclaration(node)) {
      if (node.name.text === 'PathorsChatEventMap') {
        for (const member of node.members) {
          if (!ts.isPropertySignature(member) || !member.type) continue;
          const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText();
          events.set(name, member.type.getText());
        }
      } else if (isExported(node)) {
        interfaces.push({ name: node.name.text, text: node.getFullText().trim() });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (events.size === 0) throw new Error(`${file} declares no PathorsChatEventMap entries`);
  return { events, interfaces };
}

/** The interface `target` names, written out under `alias`'s name and with `alias`'s JSDoc. */
function aliasedInterface(alias, target) {
  const source = ts.createSourceFile(target.file, readFileSync(target.file, 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find(
    (statement) => ts.isInterfaceDeclaration(statement) && statement.name.text === target.name,
  );
  if (!declaration) throw new Error(`${target.file} declares no interface ${target.name}`);
  const docs = (node) => node.getFullText().slice(0, node.getLeadingTriviaWidth()).trim();
  const body = declaration.getText().slice(declaration.name.end - declaration.getStart());
  return `${docs(alias) || docs(declaration)}\nexport interface ${alias.name.text}${body}`.trim();
}

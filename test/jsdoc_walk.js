// The walk behind test/jsdoc.test.js: lists the public declarations reachable from the package's
// entry points that have no JSDoc comment. Run on lib/ (the sources) it says where to write them:
//   node test/jsdoc_walk.js lib
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..');

function entryPoints() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const files = new Set([path.join(root, pkg.types)]);
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target !== 'object') continue;
    files.add(path.join(root, target.require.types));
    // The ESM declarations only re-export the CommonJS ones, so walking those covers both.
    const esm = fs.readFileSync(path.join(root, target.import.types), 'utf8');
    const cjs = path.relative(path.dirname(path.join(root, target.import.types)), path.join(root, target.require.default));
    if (!esm.includes(`export * from '${cjs.split(path.sep).join('/')}'`)) {
      throw new Error(`${target.import.types} (${sub}) should re-export ${target.require.default}`);
    }
  }
  return [...files];
}

// The JSDoc text of a declaration node, or '' (a VariableDeclaration's comment sits on its statement).
function docText(node) {
  let n = node;
  if (ts.isVariableDeclaration(n)) n = n.parent.parent;
  if (ts.isNamespaceExport(n)) n = n.parent; // `/** ... */ export * as nn from './nn'`
  const docs = (n.jsDoc || []).filter((d) => d.kind === ts.SyntaxKind.JSDoc);
  if (!docs.length) return '';
  const last = docs[docs.length - 1];
  const c = last.comment;
  const text = typeof c === 'string' ? c : (c || []).map((p) => p.text || '').join('');
  return text.trim();
}

function isInternal(node) {
  let n = node;
  if (ts.isVariableDeclaration(n)) n = n.parent.parent;
  if (ts.isNamespaceExport(n)) n = n.parent;
  return (n.jsDoc || []).some((d) => (d.tags || []).some((t) => t.tagName.text === 'internal'));
}

function isNonPublic(node) {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) || [] : [];
  if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return true;
  return !!(node.name && ts.isPrivateIdentifier(node.name));
}

function undocumented(entries = entryPoints(), base = path.join(root, 'dist')) {
  const within = base + path.sep;
  const program = ts.createProgram(entries, {
    strict: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, types: ['node'], noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const seen = new Set(); // declaration nodes (or overload sets) already judged
  const walkedModules = new Set();
  const walkedTypes = new Set();
  const missing = [];
  const places = new Map(); // every label judged -> where its declaration is
  let total = 0;

  const where = (node) => {
    const sf = node.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
    return `${path.relative(root, sf.fileName)}:${line + 1}`;
  };
  const inBase = (node) => path.resolve(node.getSourceFile().fileName).startsWith(within);

  // Judges a symbol's own declarations (those under base): documented when the first overload of an
  // overload set, or any one of its other declarations (an accessor pair, a class merged with an
  // interface), has JSDoc text.
  function judge(symbol, label) {
    const decls = (symbol.declarations || []).filter(inBase);
    if (!decls.length) return;
    const key = decls[0];
    places.set(label, where(key));
    if (seen.has(key)) return;
    decls.forEach((d) => seen.add(d));
    if (decls.some(isInternal) || decls.some(isNonPublic)) return;
    const fnKinds = [ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.MethodDeclaration, ts.SyntaxKind.MethodSignature];
    const overloads = decls.length > 1 && decls.every((d) => fnKinds.includes(d.kind));
    const ok = overloads ? docText(decls[0]) !== '' : decls.some((d) => docText(d) !== '');
    total++;
    if (!ok) missing.push(`${where(decls[0])}  ${label}`);
  }

  const isMember = (d) => ts.isClassElement(d) || ts.isTypeElement(d) || ts.isEnumMember(d) ||
    ts.isVariableDeclaration(d) || ts.isFunctionDeclaration(d) || ts.isPropertyAssignment(d) ||
    ts.isParameter(d); // a parameter property (`constructor(readonly p: number)`), in the sources

  // Members of a class, interface or object type alias, with the ones it inherits.
  function members(symbol, label) {
    if (walkedTypes.has(symbol)) return;
    walkedTypes.add(symbol);
    const inst = checker.getDeclaredTypeOfSymbol(symbol);
    const props = [...checker.getPropertiesOfType(inst)];
    if (symbol.flags & ts.SymbolFlags.Class) {
      const ctor = checker.getTypeOfSymbolAtLocation(symbol, symbol.declarations[0]);
      for (const p of checker.getPropertiesOfType(ctor)) if (p.name !== 'prototype') props.push(p);
    }
    for (const p of props) {
      const decls = (p.declarations || []).filter(inBase);
      if (!decls.length || !decls.every(isMember)) continue;
      judge(p, `${label}.${p.name}`);
    }
  }

  // Follows re-exports one hop at a time; stops at the declaration, or at a namespace re-export
  // (`export * as nn from './nn'`), which is itself a declaration (its comment is the namespace's).
  function resolve(sym) {
    let s = sym;
    for (let i = 0; i < 50 && s.flags & ts.SymbolFlags.Alias; i++) {
      const d = s.declarations && s.declarations[0];
      if (d && (ts.isNamespaceExport(d) || ts.isNamespaceImport(d))) return { sym: s, ns: checker.getAliasedSymbol(s) };
      const next = checker.getImmediateAliasedSymbol(s);
      if (!next) break;
      s = next;
    }
    return { sym: s, ns: null };
  }

  function walkModule(moduleSym, prefix) {
    if (walkedModules.has(moduleSym)) return;
    walkedModules.add(moduleSym);
    for (const exp of checker.getExportsOfModule(moduleSym)) {
      const label = prefix ? `${prefix}.${exp.name}` : exp.name;
      const { sym, ns } = resolve(exp);
      if (ns) {
        judge(sym, `${label} (namespace)`);
        walkModule(ns, label);
        continue;
      }
      if (sym.flags & ts.SymbolFlags.ValueModule && !(sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function))) {
        walkModule(sym, label);
        continue;
      }
      judge(sym, label);
      if (sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.Enum)) members(sym, label);
      else if (sym.flags & ts.SymbolFlags.TypeAlias) {
        const d = sym.declarations.find(ts.isTypeAliasDeclaration);
        if (d && ts.isTypeLiteralNode(d.type)) members(sym, label);
      }
    }
  }

  for (const file of entries) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`${file} is missing: run npx tsc -p tsconfig.json`);
    walkModule(checker.getSymbolAtLocation(sf), '');
  }
  return { missing, total, places };
}

module.exports = { undocumented, entryPoints };

if (require.main === module) {
  const srcRoot = path.join(root, 'lib');
  const r = process.argv[2] === 'lib'
    ? undocumented([path.join(srcRoot, 'index.ts'), path.join(srcRoot, 'typed.ts')], srcRoot)
    : undocumented();
  process.stdout.write(r.missing.join('\n') + (r.missing.length ? '\n' : ''));
  process.stderr.write(`${r.missing.length} of ${r.total} public declarations have no JSDoc comment\n`);
}

/**
 * Lists the longest functions of a source tree (function declarations, methods, arrows and
 * function expressions), longest first: `node scripts/longest-functions.mjs [dir] [count]`.
 * Lines are counted from the function's first line to its last, comments included.
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import ts from 'typescript';

/* global console */

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function functionName(node) {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText();
  return '(anonymous)';
}

function functionLengths(file) {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found = [];
  const visit = (node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)
    ) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({
        lines: last - first + 1,
        where: `${file}:${first + 1}`,
        name: functionName(node),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const dir = process.argv[2] ?? 'src';
const count = Number(process.argv[3] ?? 10);
const all = sourceFiles(dir).flatMap(functionLengths);
all.sort((a, b) => b.lines - a.lines);
for (const f of all.slice(0, count))
  console.log(`${String(f.lines).padStart(4)}  ${f.where}  ${f.name}`);

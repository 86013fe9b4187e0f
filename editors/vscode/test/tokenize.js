// Tokenise .cdl files with the extension's TextMate grammar, as VS Code does (vscode-textmate +
// the Oniguruma regex engine), and check that each construct gets its scope.
// Run: npm install && npm test   (or, to see every token of a file: node test/tokenize.js --dump FILE.cdl)
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "cdl.tmLanguage.json");
const QUICKSTART = path.join(__dirname, "..", "..", "..", "examples", "quickstart", "constitution.cdl");

// Text that must be found with the given innermost scope in examples/quickstart/constitution.cdl.
const EXPECTED = [
  ["comment.line.number-sign.cdl", "The core values, highest priority first."],
  ["storage.type.cdl", "principle"],
  ["entity.name.type.cdl", "safety.no_coercion"],
  ["entity.name.function.cdl", "pause_notice"],
  ["keyword.operator.word.cdl", "teaches"],
  ["variable.other.property.cdl", "switchable_by"],
  ["string.quoted.double.cdl", "CC0-1.0"],
  ["variable.other.template-slot.cdl", "relation"],
  ["variable.parameter.axis.cdl", "urgency"],
  ["constant.language.cdl", "hard_constraint"],
  ["constant.numeric.cdl", "6"],
];

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR),
  });
  return registry.loadGrammar("source.cdl");
}

function tokens(grammar, text) {
  const out = [];
  let state = vsctm.INITIAL;
  for (const line of text.split("\n")) {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      out.push([token.scopes[token.scopes.length - 1], line.slice(token.startIndex, token.endIndex).trim()]);
    }
    state = result.ruleStack;
  }
  return out;
}

(async () => {
  const args = process.argv.slice(2);
  const grammar = await loadGrammar();
  if (args[0] === "--dump") {
    for (const file of args.slice(1)) {
      for (const [scope, text] of tokens(grammar, fs.readFileSync(file, "utf8"))) {
        if (text) console.log(`${scope.padEnd(56)} ${text}`);
      }
    }
    return;
  }
  const found = tokens(grammar, fs.readFileSync(QUICKSTART, "utf8"));
  const missing = EXPECTED.filter(([scope, text]) => !found.some(([s, t]) => s === scope && t === text));
  for (const [scope, text] of missing) console.error(`expected \`${text}\` as ${scope}`);
  if (missing.length === 0) console.log(`ok: ${EXPECTED.length} scopes found in ${path.basename(QUICKSTART)}`);
  process.exit(missing.length ? 1 : 0);
})();

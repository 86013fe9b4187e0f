// The VS Code client: starts `constitutionc lsp` over stdio for .cdl files.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client = null;

function expand(value) {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  return folder ? value.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath) : value;
}

function createClient() {
  const config = vscode.workspace.getConfiguration("cdl");
  const serverOptions = {
    command: expand(config.get("server.path", "constitutionc")),
    args: config.get("server.args", ["lsp"]).map(expand),
  };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "cdl" },
      { scheme: "untitled", language: "cdl" },
    ],
    initializationOptions: {
      debounceMs: config.get("server.debounceMs", 150),
      lint: config.get("lint", true),
    },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.cdl") },
  };
  return new LanguageClient("cdl", "CDL language server", serverOptions, clientOptions);
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (error) {
    const command = vscode.workspace.getConfiguration("cdl").get("server.path", "constitutionc");
    vscode.window.showErrorMessage(
      `Could not start the CDL language server (\`${command} lsp\`): ${error.message || error}. ` +
        "Install constitutionc with its `lsp` extra, or set `cdl.server.path`."
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = null;
    await running.stop().catch(() => undefined);
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("cdl.restartServer", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("cdl.server") || event.affectsConfiguration("cdl.lint")) {
        await stop();
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };

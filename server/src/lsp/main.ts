// Entry point of the bundled language server (client/dist/server.js, started by the VS Code extension).
// vscode-languageserver picks the transport from the process arguments (--node-ipc from VS Code, --stdio).
import { startServer } from './server.js';

startServer();

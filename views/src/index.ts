export * from './protocol.js';
export * from './specs.js';
export * from './theme.js';
export * from './html.js';
export * from './result-json.js';

#!/usr/bin/env node
/**
 * The message-trace-mcp bin. It sizes V8's young generation before anything else is loaded
 * (module loading alone would grow it: see young-generation.ts), then loads the command itself
 * (main.ts). A static import of main.ts would not do: an ES module's whole import graph is
 * loaded before the first module of it runs.
 */
import { sizeYoungGeneration } from './young-generation.js';

sizeYoungGeneration(process.execArgv, process.env.NODE_OPTIONS);
await import('./main.js');

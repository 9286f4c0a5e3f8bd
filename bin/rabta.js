#!/usr/bin/env node
// The `rabta` command (npm link, npm install -g): Rabta ships as TypeScript,
// so this registers tsx — a production dependency — as Node's loader for .ts
// and runs the CLI entry. No build step, and the demo's examples/ load the same way.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);

#!/usr/bin/env node
// The `thaw` command. Thaw is written in TypeScript and run through tsx's loader, so there is no
// separate compile step between `npm install` and `npx thaw`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv);

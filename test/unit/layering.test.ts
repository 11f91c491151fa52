// The layering rule (eslint.config.js): no file imports from a later stage.
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('stage layering', () => {
  it.each([
    ['src/core/anomaly/x.ts', "import type { Config } from '../../config/schema.js';"],
    ['src/core/x.ts', "import { VERSION } from '../version.js';"],
    ['src/core/x.ts', "import fs from 'node:fs';"],
    ['src/config/x.ts', "import { Engine } from '../runtime/engine.js';"],
    ['src/collectors/x.ts', "import { EventLog } from '../store/eventLog.js';"],
    ['src/store/x.ts', "import { Monitor } from '../runtime/monitor.js';"],
    ['src/runtime/x.ts', "import { startServer } from '../server/server.js';"],
    ['src/server/x.ts', "import { App } from '../ui/App.js';"],
    ['src/ui/model/x.ts', "import { main } from '../../cli/main.js';"],
    ['src/beat.ts', "import { Monitor } from './runtime/monitor.js';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await restricted(file, code)).toHaveLength(1);
  });

  it.each([
    ['src/core/anomaly/x.ts', "import type { AnomalyConfig } from './config.js';"],
    ['src/core/x.ts', "import { SEVERITY_RANK } from './events/index.js';"],
    ['src/collectors/x.ts', "import type { Config } from '../config/schema.js';"],
    ['src/server/x.ts', "import { EventRing } from '../core/events/index.js';"],
    ['src/ui/x.ts', "import { Poller } from '../runtime/poller.js';"],
    ['src/cli/x.ts', "import { App } from '../ui/App.js';"],
    ['src/index.ts', "import { main } from './cli/main.js';"],
  ])('%s may: %s', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.js';
import { configSchema, defaultConfig } from '../../src/config/schema.js';

const examplePath = path.resolve('.heartbeatrc.example');

describe('.heartbeatrc.example', () => {
  it('is a valid config whose values are the defaults', async () => {
    const fromExample = await loadConfig({ file: examplePath });
    const builtIn = defaultConfig(path.dirname(examplePath));
    // The example lists the eight default daemons explicitly: the same list, declared.
    expect({ ...fromExample, configFile: null, defaultDaemons: true }).toEqual(builtIn);
  });

  it('documents every top-level and nested key', () => {
    const text = readFileSync(examplePath, 'utf8');
    const keys: string[] = [];
    for (const [key, schema] of Object.entries(configSchema.shape)) {
      keys.push(key);
      const inner = (schema as unknown as { def: { innerType?: { shape?: object } } }).def.innerType
        ?.shape;
      if (inner) keys.push(...Object.keys(inner));
    }
    const missing = keys.filter((k) => !new RegExp(`^\\s*#?\\s*${k}:`, 'm').test(text));
    expect(missing).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
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
    // The schema's keys through zod's public JSON Schema export (as a user's
    // editor would see them): each top-level key and the keys of its object.
    type Node = { properties?: Record<string, Node> };
    const top = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Node;
    const keys = Object.entries(top.properties ?? {}).flatMap(([key, node]) => [
      key,
      ...Object.keys(node.properties ?? {}),
    ]);
    const missing = keys.filter((k) => !new RegExp(`^\\s*#?\\s*${k}:`, 'm').test(text));
    expect(missing).toEqual([]);
  });
});

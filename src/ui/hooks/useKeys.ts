// Keys to commands, through the keymap data. In filter mode, printable input
// that is not bound is text for the filter.
import { useInput } from 'ink';
import type { Mode, ViewCommand } from '../../core/view.js';
import { keyName, lookupKey } from '../keymap.js';

export interface KeyHandlers {
  onCommand(command: ViewCommand): void;
  onText(text: string): void;
}

/**
 * `mode` is read at each key press, not captured at render: keys typed in one
 * burst (a paste, a fast typist) must each see the mode the previous one set.
 */
export function useKeys(mode: () => Mode, handlers: KeyHandlers, isActive = true): void {
  useInput(
    (input, key) => {
      const name = keyName(input, key);
      const current = mode();
      const binding = lookupKey(current, name);
      if (binding) {
        handlers.onCommand(binding.command);
        return;
      }
      if (current === 'filter' && input && !key.ctrl && !key.meta && isPrintable(input)) {
        handlers.onText(input);
      }
    },
    { isActive },
  );
}

function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

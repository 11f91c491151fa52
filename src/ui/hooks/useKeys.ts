// Keys to commands, through the keymap data. In filter mode, printable input
// that is not bound is text for the filter.
import { useInput } from 'ink';
import type { Mode, ViewCommand } from '../model/view.js';
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
      // Several characters in one chunk (a paste, tmux send-keys, a fast typist
      // over ssh) are several key presses: "/relay" starts a filter, then types.
      const presses = name === input && input.length > 1 ? [...input] : [name];
      for (const press of presses) {
        const current = mode();
        const binding = lookupKey(current, press);
        if (binding) handlers.onCommand(binding.command);
        else if (current === 'filter' && !key.ctrl && !key.meta && isPrintable(press)) {
          handlers.onText(press);
        }
      }
    },
    { isActive },
  );
}

function isPrintable(s: string): boolean {
  if (!s) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

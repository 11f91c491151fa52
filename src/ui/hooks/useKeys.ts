// Keys to commands, through the keymap data. In filter mode, printable input
// that is not bound is text for the filter.
import { useInput } from 'ink';
import type { Mode, ViewCommand } from '../model/view.js';
import { keyName, lookupKey, splitKeys } from '../keymap.js';

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
      // Ink names a key only when the read held exactly one; several in one read
      // (a paste, tmux send-keys, a fast typist over ssh) come as their raw text.
      const named = keyName(input, key);
      const presses = named === input && input.length > 1 ? splitKeys(input) : [named];
      // Alt+letter is not text.
      const textAllowed = presses.length > 1 || !key.meta;
      for (const press of presses) {
        const current = mode();
        const binding = lookupKey(current, press);
        if (binding) handlers.onCommand(binding.command);
        // Unbound printable characters are filter text; unbound named keys (Home, ctrl+x) are not.
        else if (
          textAllowed &&
          current === 'filter' &&
          [...press].length === 1 &&
          isPrintable(press)
        ) {
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

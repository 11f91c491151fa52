// The terminal's size, updated on resize.
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useTerminalSize(fallback = { width: 80, height: 24 }): {
  width: number;
  height: number;
} {
  const { stdout } = useStdout();
  const read = () => ({
    width: stdout.columns || fallback.width,
    height: stdout.rows || fallback.height,
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}

// The App at the terminal's size, redrawn on resize.
import React from 'react';
import { App, type AppProps } from './App.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';

export function Root(props: Omit<AppProps, 'width' | 'height'>): React.ReactElement {
  const { width, height } = useTerminalSize();
  return <App {...props} width={width} height={height} />;
}

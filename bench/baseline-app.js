// The benchmark's baseline: a minimal Ink app that re-renders a 10-line list
// every 5 s. ghost-hb watching eight daemons is compared against it.
import React, { useEffect, useState } from 'react';
import { render, Box, Text } from 'ink';

const h = React.createElement;

function App() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 5000);
    return () => clearInterval(t);
  }, []);
  return h(
    Box,
    { flexDirection: 'column' },
    Array.from({ length: 10 }, (_, i) =>
      h(Text, { key: i }, `item ${i}  tick ${tick}  ${new Date().toLocaleTimeString()}`),
    ),
  );
}

render(h(App));

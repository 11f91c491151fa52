// The benchmark's baseline: a minimal Ink app that re-renders a 10-line list
// every 5 s. ghost-hb watching eight daemons is compared against it.
// React's production build, as ghost-hb runs it (src/cli/main.ts sets
// NODE_ENV): the development build costs more CPU and memory, and would flatter
// ghost-hb. Imported after the variable is set, hence the dynamic imports.
process.env.NODE_ENV ??= 'production';
const { default: React, useEffect, useState } = await import('react');
const { render, Box, Text } = await import('ink');

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

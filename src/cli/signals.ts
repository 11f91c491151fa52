// Resolve when the process is asked to stop (SIGTERM from systemd, SIGINT from
// Ctrl-C), so long-running commands can flush and exit 0.
export function untilStopSignal(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): {
  stopped: Promise<NodeJS.Signals>;
  dispose: () => void;
} {
  let resolveFn: (s: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((r) => (resolveFn = r));
  const handler = (s: NodeJS.Signals) => resolveFn(s);
  for (const s of signals) process.on(s, handler);
  return {
    stopped,
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}

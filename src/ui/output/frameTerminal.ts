// The monitor's output layer. Ink renders each frame to a string (its debug
// mode, which writes the whole frame to its stdout and nothing else); this
// layer stands in as that stdout, compares the frame with the one on the
// terminal and writes only the cells that changed, inside synchronized-output
// markers. The screen is cleared once at start and after a resize, never
// otherwise; a frame identical to the one shown writes nothing (a paused
// monitor is silent), so tmux's monitor-activity and mouse selections survive.
import { EventEmitter } from 'node:events';
import { diffFrame, parseLine, type CellLine } from './frameDiff.js';

const ESC = '\u001b';
/** Synchronized output (DEC mode 2026): the terminal shows the frame at once; others ignore it. */
const BEGIN_SYNC = `${ESC}[?2026h`;
const END_SYNC = `${ESC}[?2026l`;
const HIDE_CURSOR = `${ESC}[?25l`;
const CLEAR_SCREEN = `${ESC}[H${ESC}[2J`;

export interface FrameTerminalStats {
  frames: number;
  /** Frames that changed nothing on the terminal, so wrote nothing. */
  unchanged: number;
  bytes: number;
  clears: number;
}

export class FrameTerminal {
  /** Rows as on the terminal (null: unknown, repaint); null before the first frame. */
  private shown: (CellLine | null)[] | null = null;
  /** Raw lines of the frame on screen, to skip parsing lines that did not change. */
  private shownRaw: string[] = [];
  readonly stats: FrameTerminalStats = { frames: 0, unchanged: 0, bytes: 0, clears: 0 };
  /** The stream to hand to Ink's render() as stdout. */
  readonly inkStdout: NodeJS.WriteStream;
  private readonly onResize = () => {
    // The terminal reflowed or cleared what it showed: repaint from scratch.
    this.shown = null;
    this.sink.emit('resize');
  };
  private readonly sink: InkSink;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly opts: { sync?: boolean } = {},
  ) {
    this.sink = new InkSink(out, (frame) => this.frame(frame));
    this.inkStdout = this.sink as unknown as NodeJS.WriteStream;
    out.on('resize', this.onResize);
  }

  get width(): number {
    return this.out.columns || 80;
  }

  get height(): number {
    return this.out.rows || 24;
  }

  /** Draw `frame` (Ink's output: lines joined by newlines), writing only what changed. */
  frame(frame: string): void {
    this.stats.frames++;
    const width = this.width;
    const rawLines = frame.split('\n').slice(0, this.height);
    const full = this.shown === null;
    const prev = this.shown;
    const next: CellLine[] = [];
    for (let row = 0; row < this.height; row++) {
      const raw = rawLines[row] ?? '';
      const same = !full && prev?.[row] && this.shownRaw[row] === raw;
      next.push(same ? prev![row]! : parseLine(raw, width));
    }
    let body = diffFrame(full ? null : prev, next);
    if (full) {
      body = HIDE_CURSOR + CLEAR_SCREEN + body;
      this.stats.clears++;
    }
    this.shown = next;
    this.shownRaw = rawLines;
    if (!body) {
      this.stats.unchanged++;
      return;
    }
    const text = this.opts.sync === false ? body : BEGIN_SYNC + body + END_SYNC;
    this.stats.bytes += Buffer.byteLength(text);
    this.out.write(text);
  }

  /** Write something beside the frames (the bell, the window title): it moves no cell. */
  signal(text: string): void {
    this.stats.bytes += Buffer.byteLength(text);
    this.out.write(text);
  }

  /** Forget what is on the terminal: the next frame repaints it whole. */
  invalidate(): void {
    this.shown = null;
  }

  dispose(): void {
    this.out.off('resize', this.onResize);
  }
}

/**
 * What Ink sees as stdout: the real terminal's size and TTY-ness, resize
 * events, and a write() that takes a whole frame.
 */
class InkSink extends EventEmitter {
  readonly isTTY = true;
  readonly writable = true;
  readonly destroyed = false;
  readonly writableEnded = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly onFrame: (frame: string) => void,
  ) {
    super();
  }

  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  write(data: string | Uint8Array, ...rest: unknown[]): boolean {
    // Ink's debug mode writes whole frames; an empty write (a clear of nothing) is not one.
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    if (text !== '') this.onFrame(text);
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }

  getColorDepth(): number {
    return this.out.getColorDepth?.() ?? 8;
  }

  hasColors(count?: number): boolean {
    return this.out.hasColors?.(count) ?? true;
  }
}

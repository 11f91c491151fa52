// A horizontal bar for a fraction (availability, drift against its threshold).
import React from 'react';
import { Text } from 'ink';
import { MUTED, tint } from '../theme.js';

export interface GaugeProps {
  /** 0..1; values above 1 draw a full bar. Null draws an empty, dim bar. */
  fraction: number | null;
  width: number;
  color: boolean;
  /** Colour of the filled part. */
  tone?: string;
}

export function gaugeText(fraction: number | null, width: number): string {
  const w = Math.max(1, width);
  const filled = fraction == null ? 0 : Math.round(Math.max(0, Math.min(1, fraction)) * w);
  return '■'.repeat(filled) + '·'.repeat(w - filled);
}

export function Gauge({ fraction, width, color, tone }: GaugeProps): React.ReactElement {
  const text = gaugeText(fraction, width);
  const filled = text.indexOf('·') === -1 ? text.length : text.indexOf('·');
  return (
    <Text>
      [<Text {...tint(color, tone)}>{text.slice(0, filled)}</Text>
      <Text {...tint(color, MUTED)}>{text.slice(filled)}</Text>]
    </Text>
  );
}

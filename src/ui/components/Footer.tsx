// The bottom line: the keys that work in the current mode, or the filter
// being typed.
import React from 'react';
import { Text } from 'ink';
import type { Mode } from '../model/view.js';
import { footerItems } from '../keymap.js';
import { tint } from '../theme.js';
import { escapeControl } from '../../core/sanitize.js';

export interface FooterProps {
  mode: Mode;
  draft: string | null;
  filterError: string | null;
  color: boolean;
}

function FooterImpl({ mode, draft, filterError, color }: FooterProps): React.ReactElement {
  const items = footerItems(mode);
  const keys = items.map((it, i) => (
    <Text key={it.key + it.label}>
      {i ? ' ' : ''}
      <Text bold {...tint(color, 'cyan')}>
        {it.key}
      </Text>{' '}
      {it.label}
    </Text>
  ));
  if (mode === 'filter') {
    return (
      <Text wrap="truncate-end">
        <Text bold>/</Text>
        {escapeControl(draft ?? '')}
        <Text inverse> </Text>
        {filterError ? <Text {...tint(color, 'red')}>{`  bad regex: ${filterError}`}</Text> : null}
        {'  '}
        {keys}
      </Text>
    );
  }
  return <Text wrap="truncate-end">{keys}</Text>;
}

export const Footer = React.memo(FooterImpl);

// A box that scrolls on its own (a long table, a log): focusable and named, so a keyboard user can
// reach it and scroll it with the arrow keys, and a screen reader says what it holds. Lists and
// <pre> blocks that scroll take the same three attributes from scrollRegionProps.
import type { HTMLAttributes, ReactNode } from 'react';

/** What makes any scrolling element reachable by keyboard: focusable, a region, with a name. */
export function scrollRegionProps(label: string): { tabIndex: 0; 'aria-label': string } {
  return { tabIndex: 0, 'aria-label': label };
}

export function ScrollRegion({
  label,
  className = 'table-scroll',
  children,
  ...rest
}: { label: string; className?: string; children: ReactNode } & Omit<HTMLAttributes<HTMLDivElement>, 'className' | 'children'>) {
  return (
    <div className={className} role="region" {...scrollRegionProps(label)} {...rest}>
      {children}
    </div>
  );
}

// A wide table's own horizontal scroll box, so the page never scrolls sideways: reachable
// and scrollable from the keyboard (tabIndex 0) and named for screen readers (a labelled region).
import type { ReactNode } from 'react';

export function ScrollBox({
  label,
  limited = false,
  className,
  children,
}: {
  /** What the table is, read out when the box gets focus ("runs", "config differences"). */
  label: string;
  /** Also bounded in height (scrolls down inside, long lists). */
  limited?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={['table-scroll', limited ? 'limited' : null, className].filter(Boolean).join(' ')}
      tabIndex={0}
      role="region"
      aria-label={label}
    >
      {children}
    </div>
  );
}

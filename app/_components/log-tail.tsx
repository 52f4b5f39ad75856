'use client';
// The last lines of the run's raw log, re-read whenever the run changes (live); for a run read from other
// files (event files, checkpoint folders), one plain line saying so.
import { useEffect, useRef, useState } from 'react';
import type { LogTail as LogTailData } from '@/lib/api/schemas/run';
import { CopyPath } from './copy-path';
import { useCoalesced, useLiveChanges } from './live';

export function LogTail({ initial }: { initial: LogTailData }) {
  const [tail, setTail] = useState(initial);
  const refresh = useCoalesced(
    async (ids) => {
      if (ids !== 'all' && !ids.has(initial.runId)) return;
      const response = await fetch(`/api/runs/${initial.runId}/log?lines=${Math.max(initial.lines.length, 40)}`, { cache: 'no-store' });
      if (response.ok) setTail((await response.json()) as LogTailData);
    },
    100,
    500,
  );
  useLiveChanges(refresh);
  // Like `tail -f`: stay at the bottom unless the reader scrolled up.
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [tail]);
  // Read from other files (event files, checkpoint folders): say so plainly; no path to copy, it is no log.
  if (!tail.consoleLog)
    return (
      <p className="muted" data-testid="log-none">
        {tail.note}
      </p>
    );
  return (
    <div>
      <p className="muted small mono">
        <CopyPath path={tail.path} testId="log-path" />
      </p>
      {tail.note && (
        <p className="error-note" data-testid="log-error">
          {tail.note}
        </p>
      )}
      <pre
        hidden={tail.lines.length === 0}
        tabIndex={0}
        aria-label="the last lines of the run's log"
        role="region"
        ref={box}
        className="log-tail"
        data-testid="log-tail"
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {tail.lines.join('\n')}
      </pre>
    </div>
  );
}

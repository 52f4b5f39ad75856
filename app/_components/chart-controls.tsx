'use client';

// The chart controls shared by the compare page and the run page. Each control answers at once;
// the URL (the source of truth, so a view can be shared) follows, and the server re-renders.
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';

export type XAxis = 'epoch' | 'step' | 'time';
const X_LABELS: Record<XAxis, string> = { epoch: 'Epoch', step: 'Step', time: 'Wall time' };
/** Dragging the slider re-renders the chart at once; the URL is updated when it rests. */
const SMOOTH_URL_DELAY_MS = 250;

export function useChartUrlState(initial: { smooth: number; log: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [smooth, setSmooth] = useState(initial.smooth);
  const [logY, setLogY] = useState(initial.log);
  const smoothTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setSmooth(initial.smooth), [initial.smooth]);
  useEffect(() => setLogY(initial.log), [initial.log]);

  const navigate = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams(searchParams.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) params.delete(key);
      else params.set(key, value);
    }
    startTransition(() => router.replace(`${pathname}?${params}`, { scroll: false }));
  };
  const onSmooth = (value: number) => {
    setSmooth(value);
    if (smoothTimer.current) clearTimeout(smoothTimer.current);
    smoothTimer.current = setTimeout(() => navigate({ smooth: String(value) }), SMOOTH_URL_DELAY_MS);
  };
  const onLogY = (value: boolean) => {
    setLogY(value);
    navigate({ log: value ? '1' : null });
  };
  return { pending, navigate, searchParams, smooth, onSmooth, logY, onLogY };
}

export function XAxisButtons({ value, onChange }: { value: XAxis; onChange: (x: XAxis) => void }) {
  return (
    <div className="segmented" role="group" aria-label="x axis">
      {(['epoch', 'step', 'time'] as const).map((x) => (
        <button key={x} type="button" aria-pressed={value === x} onClick={() => onChange(x)} data-testid={`x-${x}`}>
          {X_LABELS[x]}
        </button>
      ))}
    </div>
  );
}

export function SmoothingSlider({
  value,
  onChange,
  testId = 'smoothing',
}: {
  value: number;
  onChange: (value: number) => void;
  testId?: string;
}) {
  return (
    <label className="slider" title="TensorBoard's debiased exponential moving average; the raw curve stays visible, faint">
      Smoothing
      <input
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        data-testid={testId}
      />
      <output>{value.toFixed(2)}</output>
    </label>
  );
}

export function LogYToggle({ value, onChange, testId = 'log-y' }: { value: boolean; onChange: (value: boolean) => void; testId?: string }) {
  return (
    <label className="check">
      <input type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      Log y
    </label>
  );
}

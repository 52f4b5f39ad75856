// A legend key: a short line in the colour with the strategy's marker on it (lib/views/strategy-colors),
// the same shape the charts draw, so a strategy is told by shape as well as by colour. Colours that
// are not a strategy's get a plain square. Decorative: the label beside it says the name.
import { markerOf, type StrategyMarker } from '@/lib/views/strategy-colors';

function MarkerShape({ marker, color }: { marker: StrategyMarker; color: string }) {
  const fill = marker.filled ? color : '#ffffff';
  const common = { stroke: color, strokeWidth: 1.4, fill, transform: marker.rotation ? `rotate(${marker.rotation} 9 6)` : undefined };
  switch (marker.shape) {
    case 'circle':
      return <circle cx={9} cy={6} r={3.6} {...common} />;
    case 'rect':
      return <rect x={5.6} y={2.6} width={6.8} height={6.8} {...common} />;
    case 'rectRot':
      return <rect x={6} y={3} width={6} height={6} {...common} transform={`rotate(${45 + marker.rotation} 9 6)`} />;
    case 'triangle':
      return <polygon points="9,1.8 13,9.4 5,9.4" {...common} />;
    case 'star':
      return <path d="M9 1.8V10.2M5.4 3.9L12.6 8.1M5.4 8.1L12.6 3.9" {...common} fill="none" />;
    case 'cross':
      return <path d="M9 2V10M5 6H13" {...common} fill="none" strokeWidth={1.8} />;
    case 'crossRot':
      return <path d="M6 3L12 9M6 9L12 3" {...common} fill="none" strokeWidth={1.8} />;
    case 'line':
      return <path d="M5 6H13" {...common} fill="none" strokeWidth={2.2} />;
  }
}

export function Swatch({ color }: { color: string }) {
  const marker = markerOf(color);
  if (!marker) return <span className="swatch" style={{ background: color }} aria-hidden="true" />;
  return (
    <svg
      className="swatch-key"
      width={18}
      height={12}
      viewBox="0 0 18 12"
      aria-hidden="true"
      focusable="false"
      data-marker={`${marker.shape}${marker.filled ? '' : '-hollow'}${marker.rotation ? `-${marker.rotation}` : ''}`}
    >
      <path d="M0 6H18" stroke={color} strokeWidth={2} />
      <MarkerShape marker={marker} color={color} />
    </svg>
  );
}

'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Runs', hint: 'every run: strategy, progress, verdict' },
  { href: '/compare', label: 'Compare', hint: 'which strategy wins' },
  { href: '/tasks', label: 'Multi-task', hint: 'does a later task make the model forget?' },
  { href: '/strategies', label: 'Strategies', hint: 'evidence next to the rule of thumb' },
  { href: '/alerts', label: 'Alerts', hint: 'overfitting, divergence, crashes and stalls, as they happened' },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  const active = (href: string) => (href === '/' ? pathname === '/' || pathname.startsWith('/runs') : pathname.startsWith(href));
  return (
    <nav>
      {LINKS.map((link) => (
        <Link key={link.href} href={link.href} title={link.hint} className={active(link.href) ? 'active' : undefined}>
          {link.label}
        </Link>
      ))}
    </nav>
  );
}

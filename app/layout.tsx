import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AlertsBell } from './_components/alerts';
import { LiveIndicator, LiveProvider } from './_components/live';
import { NavLinks } from './_components/nav';
import './globals.css';

export const metadata: Metadata = {
  title: 'Thaw',
  description: 'SmolVLA training runs: freeze strategies, overfitting and multi-task forgetting',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <LiveProvider>
          <header className="top">
            <a className="brand" href="/">
              Thaw
            </a>
            <NavLinks />
            <span className="spacer" />
            <AlertsBell />
            <LiveIndicator />
          </header>
          <main>{children}</main>
        </LiveProvider>
      </body>
    </html>
  );
}

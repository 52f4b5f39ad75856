import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Thaw',
  description: 'SmolVLA training runs: freeze strategies, overfitting and multi-task forgetting',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <a className="brand" href="/">Thaw</a>
          <nav>
            <a href="/">Runs</a>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

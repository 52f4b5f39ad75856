'use client';
// A file or folder path as the pages show it: in full, wrapping anywhere (a path has no spaces to break
// at, and one long path must never widen the page), with a button that copies it exactly.
import { useState } from 'react';

/** Copies text: the Clipboard API where the page may use it, else a selected textarea (plain http). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const done = document.execCommand('copy');
  area.remove();
  return done;
}

export function CopyPath({ path, testId }: { path: string; testId?: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <span className="copy-path" data-testid={testId}>
      <code className="path-text">{path}</code>
      <button
        type="button"
        className="link-button copy-button"
        aria-label={`Copy the path ${path}`}
        title="Copy the path"
        onClick={() =>
          void copyText(path).then((done) => {
            setCopied(done);
            setTimeout(() => setCopied(null), 1500);
          })
        }
      >
        {copied === true ? 'copied' : copied === false ? 'copy failed' : 'copy'}
      </button>
    </span>
  );
}

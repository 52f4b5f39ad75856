// Server-Sent Events: one `change` event per committed ingest batch ({kind:'runs', runIds} or
// {kind:'all'}), fanned out from the single LISTEN connection in lib/live/hub.ts. Nothing here
// queries the database; an idle stream costs a comment line every 15 s.
import { withApi } from '@/lib/api/errors';
import type { Change } from '@/lib/live/changes';
import { changeHub } from '@/lib/live/hub';

export const dynamic = 'force-dynamic';

const HEARTBEAT_MS = 15_000;

export const GET = withApi((request: Request) => {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const subscription = changeHub().subscribe((change: Change) => send('change', change));
      const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
      cleanup = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        subscription.unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener('abort', cleanup);
      write('retry: 2000\n\n');
      subscription.ready.then(
        () => send('ready', { listening: true }),
        () => send('ready', { listening: false }),
      );
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, no-transform',
      // Compression would buffer events until a chunk fills.
      'Content-Encoding': 'identity',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
});

/**
 * A TCP relay on 127.0.0.1 in front of a real server (Redis) that a test can cut (every connection
 * dropped, the port closed) and restore on the same port, to simulate a lost and returning Redis.
 */
import net from 'node:net';

/** A started relay. */
export interface TcpRelay {
  port: number;
  /** Drops every relayed connection and stops listening. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
}

/**
 * Starts a relay to `target` on a free port.
 *
 * @param target - Host and port to relay to.
 */
export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const listen = (server: net.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const createServer = () =>
    net.createServer((socket) => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(socket).add(upstream);
      const drop = () => {
        socket.destroy();
        upstream.destroy();
        sockets.delete(socket);
        sockets.delete(upstream);
      };
      socket.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      socket.pipe(upstream).pipe(socket);
    });
  let server = createServer();
  let listening = true;
  const port = await listen(server, 0);
  return {
    port,
    async cut() {
      if (!listening) return;
      listening = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    async restore() {
      server = createServer();
      await listen(server, port);
      listening = true;
    },
  };
}

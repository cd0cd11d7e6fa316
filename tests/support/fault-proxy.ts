import net from 'node:net';

/**
 * A TCP proxy in front of the test MariaDB, so one test can take "its" database away without touching
 * the shared server other test files use at the same time.
 *  - pass:    bytes flow both ways
 *  - freeze:  connections are accepted (and live ones kept) but no byte is forwarded either way: a hung
 *             database or network; on `pass` what was held flows on
 *  - refuse:  the database is down: live connections are cut and new ones refused (ECONNREFUSED)
 *  - cut():   destroys every live connection once (a lost connection), then keeps the current mode
 *  - cutOnClientBytes(text): cuts every live connection when the client next sends bytes containing text
 *             (those bytes are not forwarded): a connection lost in the middle of a transaction
 */
export type ProxyMode = 'pass' | 'freeze' | 'refuse';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class FaultProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  private modeNow: ProxyMode = 'pass';
  private cutOn: string | null = null;
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
  ) {}

  /** A mysql:// URL like `databaseUrl`, pointing at this proxy instead. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  async start(): Promise<this> {
    await this.listen(0);
    return this;
  }

  private listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (this.cutOn && chunk.includes(this.cutOn)) {
        this.cutOn = null;
        this.cut();
        return;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => this.modeNow === 'pass' && client.resume());
    upstream.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => this.modeNow === 'pass' && upstream.resume());
    if (this.modeNow === 'freeze') {
      client.pause();
      upstream.pause();
    }
  }

  async setMode(mode: ProxyMode): Promise<void> {
    const was = this.modeNow;
    this.modeNow = mode;
    if (mode === 'freeze') {
      for (const { client, upstream } of this.pairs) {
        client.pause();
        upstream.pause();
      }
    } else if (mode === 'pass') {
      if (was === 'refuse') await this.listen(this.port);
      for (const { client, upstream } of this.pairs) {
        client.resume();
        upstream.resume();
      }
    } else if (mode === 'refuse' && was !== 'refuse') {
      const closed = this.closeListener(); // resolves once the live connections are gone too
      this.cut();
      await closed;
    }
  }

  /** Destroys every live connection (both sides), as a dropped network or a killed server would. */
  cut(): void {
    for (const { client, upstream } of [...this.pairs]) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  cutOnClientBytes(text: string): void {
    this.cutOn = text;
  }

  get connections(): number {
    return this.pairs.size;
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    const closed = this.closeListener();
    this.cut();
    await closed;
  }
}

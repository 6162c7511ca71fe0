import { EventEmitter, once } from 'node:events';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createLogger } from '../../common/logger.js';
import { connectRedis, whenReady } from './redis.js';
import { writesPerTurn } from './turn-writes.js';

const REDIS_URL = process.env.XIETONG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A socket whose writes to the kernel are counted: one `_writev` or `_write` call is one socket write. */
function counted(socket: Socket) {
  const calls: number[] = [];
  const writev = socket._writev!.bind(socket);
  const write = socket._write.bind(socket);
  socket._writev = (chunks, callback) => (calls.push(chunks.length), writev(chunks, callback));
  socket._write = (chunk, encoding, callback) => (calls.push(1), write(chunk, encoding, callback));
  return calls;
}

/** A connection as ioredis is one: it emits 'connect' with a new stream each time it connects. */
class FakeConnection extends EventEmitter {
  stream!: Socket;
  constructor(private readonly sockets: Socket[]) {
    super();
  }
  async connect(port: number): Promise<Socket> {
    this.stream = new Socket();
    this.sockets.push(this.stream);
    this.stream.connect(port, '127.0.0.1');
    await once(this.stream, 'connect');
    this.emit('connect');
    return this.stream;
  }
}

describe('writesPerTurn', () => {
  let server: Server;
  let port: number;
  const received: Buffer[] = [];
  // Every socket either end opens, destroyed at the end whatever a test did.
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((s) => sockets.push(s.on('data', (d: Buffer) => received.push(d))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the writes of one turn as one socket write, in order, and those of the next turn as another', async () => {
    const connection = new FakeConnection(sockets);
    writesPerTurn(connection);
    const socket = await connection.connect(port);
    const calls = counted(socket);
    socket.write('a');
    socket.write('b');
    socket.write('c');
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual([3]);
    socket.write('d');
    await nextTurn();
    expect(calls).toEqual([3, 1]);
    await new Promise<void>((resolve) => socket.end(resolve));
    for (let waited = 0; Buffer.concat(received).length < 4 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Buffer.concat(received).toString()).toBe('abcd');
  });

  it('wraps the new socket of every reconnection', async () => {
    const connection = new FakeConnection(sockets);
    writesPerTurn(connection);
    (await connection.connect(port)).destroy();
    const socket = await connection.connect(port);
    const calls = counted(socket);
    socket.write('x');
    socket.write('y');
    await nextTurn();
    expect(calls).toEqual([2]);
    socket.destroy();
  });
});

describe('connectRedis', () => {
  it('sends many commands of one turn in one write and answers each, before and after a reconnection', async () => {
    const client = connectRedis({ url: REDIS_URL }, createLogger('test'), 'turn-writes-test');
    const key = `xietong-test:turn-writes:${process.pid}`;
    try {
      await whenReady(client);
      await client.del(key);
      const writes = counted((client as Redis).stream as Socket);
      const first = await Promise.all(Array.from({ length: 50 }, () => client.incr(key)));
      expect(first).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(writes).toEqual([50]);
      client.disconnect(true);
      await once(client, 'ready');
      const rewrites = counted((client as Redis).stream as Socket);
      const second = await Promise.all(Array.from({ length: 5 }, () => client.incr(key)));
      expect(second).toEqual([51, 52, 53, 54, 55]);
      expect(rewrites).toEqual([5]);
    } finally {
      await client.del(key);
      client.disconnect();
    }
  });
});

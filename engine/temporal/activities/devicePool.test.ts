import { describe, expect, it } from 'vitest';
import { DevicePool, DeviceWaitAborted, type GpuDevice } from './devicePool';

const gpus = (...indices: number[]): GpuDevice[] => indices.map((index) => ({ index, name: `GPU ${index}` }));

describe('DevicePool', () => {
  it('lends each device to one task at a time, lowest index first', async () => {
    const pool = new DevicePool(gpus(1, 0));
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect([a.device.index, b.device.index]).toEqual([0, 1]);
    expect(pool.available).toBe(0);
    a.release();
    expect(pool.available).toBe(1);
    const c = await pool.acquire();
    expect(c.device.index).toBe(0);
  });

  it('queues a request when every device is lent and hands over the released one, first come first served', async () => {
    const pool = new DevicePool(gpus(0));
    const held = await pool.acquire();
    const order: string[] = [];
    const first = pool.acquire().then((l) => (order.push(`first:${l.device.index}`), l));
    const second = pool.acquire().then((l) => (order.push(`second:${l.device.index}`), l));
    await Promise.resolve();
    expect(order).toEqual([]);
    held.release();
    (await first).release();
    await second;
    expect(order).toEqual(['first:0', 'second:0']);
  });

  it('ignores a second release of the same lease (it must not free a device someone else holds)', async () => {
    const pool = new DevicePool(gpus(0, 1));
    const a = await pool.acquire();
    a.release();
    a.release();
    expect(pool.available).toBe(2);
    const b = await pool.acquire();
    a.release();
    expect(pool.available).toBe(1);
    b.release();
    expect(pool.available).toBe(2);
  });

  it('drops a waiting request whose task is cancelled', async () => {
    const pool = new DevicePool(gpus(0));
    const held = await pool.acquire();
    const abort = new AbortController();
    const waiting = pool.acquire(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(DeviceWaitAborted);
    held.release();
    expect(pool.available).toBe(1);
    await expect(pool.acquire(abort.signal)).rejects.toBeInstanceOf(DeviceWaitAborted);
  });

  it('refuses an empty pool and duplicate indices', () => {
    expect(() => new DevicePool([])).toThrow(/at least one device/);
    expect(() => new DevicePool(gpus(0, 0))).toThrow(/distinct/);
  });
});

/**
 * The GPUs of one GPU worker, handed out one task at a time. The worker runs at most as many tasks
 * as it has devices (maxConcurrentActivityTaskExecutions), so a free device is always there when a
 * task asks; the pool still queues a request rather than double-booking a device if that invariant
 * is ever broken (a task leaving late after a cancellation), and it is what tells each task which
 * device is its own.
 */

/** One GPU as the worker sees it (nvidia-smi's numbering, or a configured index). */
export interface GpuDevice {
  /** nvidia-smi index (PCI bus order); what CUDA_VISIBLE_DEVICES gets with CUDA_DEVICE_ORDER=PCI_BUS_ID. */
  index: number;
  name: string;
  /**
   * CUDA's number for it inside this process (what ONNX Runtime's `deviceId` wants): its place in
   * CUDA_VISIBLE_DEVICES when that is set, else `index` (workers set CUDA_DEVICE_ORDER=PCI_BUS_ID).
   */
  ordinal?: number;
  uuid?: string;
  memoryMiB?: number;
  driver?: string;
}

/** A device lent to one task until `release()`. */
export interface DeviceLease {
  readonly device: GpuDevice;
  release(): void;
}

/** The pool was asked for a device by a task that was cancelled while it waited. */
export class DeviceWaitAborted extends Error {
  override readonly name = 'DeviceWaitAborted';
  readonly code = 'device-wait-aborted';
}

export class DevicePool {
  private readonly free: GpuDevice[];
  private readonly waiting: { resolve: (lease: DeviceLease) => void; reject: (e: Error) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(readonly devices: readonly GpuDevice[]) {
    if (devices.length === 0) throw new RangeError('a device pool needs at least one device');
    const indices = new Set(devices.map((d) => d.index));
    if (indices.size !== devices.length) throw new RangeError(`device indices must be distinct, got ${devices.map((d) => d.index).join(', ')}`);
    this.free = [...devices];
  }

  /** Devices not lent right now. */
  get available(): number {
    return this.free.length;
  }

  /** Lends the lowest-numbered free device, or waits (first come, first served) for one. */
  acquire(signal?: AbortSignal): Promise<DeviceLease> {
    if (signal?.aborted) return Promise.reject(new DeviceWaitAborted('cancelled while waiting for a GPU'));
    const device = this.takeFree();
    if (device) return Promise.resolve(this.lease(device));
    return new Promise<DeviceLease>((resolve, reject) => {
      const waiter: (typeof this.waiting)[number] = { resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new DeviceWaitAborted('cancelled while waiting for a GPU'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  private takeFree(): GpuDevice | undefined {
    if (this.free.length === 0) return undefined;
    this.free.sort((a, b) => a.index - b.index);
    return this.free.shift();
  }

  private lease(device: GpuDevice): DeviceLease {
    let released = false;
    return {
      device,
      release: () => {
        if (released) return; // a second release must not free a device another task holds
        released = true;
        const next = this.waiting.shift();
        if (next) {
          if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
          next.resolve(this.lease(device));
        } else {
          this.free.push(device);
        }
      },
    };
  }
}

import type { Command } from 'commander';
import { createGpu, listAdapters } from '@exif-lang/kernels';

export function registerGpuInfo(program: Command): void {
  program
    .command('gpu')
    .description('list WebGPU adapters and show the one exif-lang picks (EXIFLANG_ADAPTER selects)')
    .action(async () => {
      for (const a of await listAdapters()) {
        process.stdout.write(`adapter: ${a.description || a.device} (vendor ${a.vendor || '?'}, ${a.isCpu ? 'CPU emulation' : 'GPU'})\n`);
      }
      const gpu = await createGpu({ quiet: true });
      const l = gpu.limits;
      process.stdout.write(
        `chosen: ${gpu.adapter.description || gpu.adapter.device}\n` +
          `timestamps: ${gpu.hasTimestamps}, shader-f16: ${gpu.hasF16}\n` +
          `maxStorageBufferBindingSize: ${l.maxStorageBufferBindingSize}, maxBufferSize: ${l.maxBufferSize}, ` +
          `maxComputeWorkgroupStorageSize: ${l.maxComputeWorkgroupStorageSize}\n`,
      );
      gpu.destroy();
    });
}

import type { Command } from 'commander';
import { registerGpuInfo } from './gpu-info.ts';
import { registerConvert } from './convert.ts';
import { registerData } from './data.ts';

/** Every sub-command registers itself here, one file per command (or command group). */
export function registerAll(program: Command): void {
  registerGpuInfo(program);
  registerConvert(program);
  registerData(program);
}

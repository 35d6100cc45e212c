/**
 * Debian's chromium, as the browser tests and the screenshot script launch it: headless WebGPU
 * (on SwiftShader here), no sandbox (CI runs as root), and nothing that phones home.
 */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

// Pictures and the HTML report of splice localization.
export { colormap, colormapTable, type ColormapName } from './colormap.ts';
export { robustRange } from './range.ts';
export { heatmapOverlay, maskPixels, type OverlayOptions } from './overlay.ts';
export { writeHeatmapOverlay, writeHeatmapPng, writeMaskPng, writeRgbPng, writeThumbnail } from './images.ts';
export { writeReport, renderReport, sortRows, escapeHtml, type ReportRow, type ReportOptions } from './report.ts';

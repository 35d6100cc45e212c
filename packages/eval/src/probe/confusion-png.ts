/**
 * The confusion matrix as a PNG: rows are true classes, columns predictions, each cell shaded
 * by the row-normalised rate (so a rare class reads as clearly as a common one) and labelled
 * with its count. Drawn as SVG and rasterised by sharp (librsvg), so class names are text.
 */
import sharp from 'sharp';
import { escapeHtml } from '../render/report.ts';
import { colormap } from '../render/colormap.ts';

const CELL = 28;

export function confusionSvg(counts: Int32Array, classes: readonly string[], title: string): string {
  const k = classes.length;
  const cell = Math.max(12, Math.min(CELL, Math.floor(900 / Math.max(1, k))));
  const label = Math.min(220, 12 + 7 * Math.max(...classes.map((c) => c.length)));
  const top = 40 + label;
  const size = { w: label + k * cell + 20, h: top + k * cell + 20 };
  const parts: string[] = [];
  parts.push(`<rect width="${size.w}" height="${size.h}" fill="white"/>`);
  parts.push(`<text x="8" y="20" font-family="sans-serif" font-size="14">${escapeHtml(title)}</text>`);
  const rates = new Float64Array(k * k);
  for (let t = 0; t < k; t++) {
    let row = 0;
    for (let p = 0; p < k; p++) row += counts[t * k + p];
    for (let p = 0; p < k; p++) rates[t * k + p] = row ? counts[t * k + p] / row : 0;
  }
  const rgb = colormap(rates, 0, 1, 'inferno');
  const font = Math.max(7, Math.round(cell * 0.4));
  for (let t = 0; t < k; t++) {
    const y = top + t * cell;
    parts.push(`<text x="${label - 4}" y="${y + cell * 0.65}" text-anchor="end" font-family="sans-serif" font-size="${font}">${escapeHtml(classes[t])}</text>`);
    const x = label + t * cell;
    parts.push(`<text transform="translate(${x + cell * 0.65},${top - 4}) rotate(-90)" font-family="sans-serif" font-size="${font}">${escapeHtml(classes[t])}</text>`);
    for (let p = 0; p < k; p++) {
      const i = t * k + p;
      const [r, g, b] = [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]];
      const cx = label + p * cell;
      parts.push(`<rect x="${cx}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#888" stroke-width="0.5"/>`);
      if (counts[i]) parts.push(`<text x="${cx + cell / 2}" y="${y + cell * 0.65}" text-anchor="middle" font-family="sans-serif" font-size="${font}" fill="${rates[i] > 0.6 ? 'black' : 'white'}">${counts[i]}</text>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size.w}" height="${size.h}">${parts.join('')}</svg>`;
}

export async function writeConfusionPng(path: string, counts: Int32Array, classes: readonly string[], title: string): Promise<void> {
  await sharp(Buffer.from(confusionSvg(counts, classes, title))).png().toFile(path);
}

/**
 * Camera names for the probe tasks: EXIF `Make` strings vary by firmware ("NIKON" and "NIKON
 * CORPORATION", "samsung" and "SAMSUNG"), so makes are folded to one brand before counting
 * classes; phone vs dedicated camera is decided from the brand and the model name.
 */

/** Brands spelt with a company name, folded to the brand people call them by. */
const ALIASES: Readonly<Record<string, string>> = {
  eastman: 'kodak', asahi: 'pentax', hewlett: 'hp', 'hewlett-packard': 'hp', jk: 'kodak', trust: 'trust',
};

/** Brands whose first word is not enough (Sony Ericsson made phones, Sony cameras). */
const TWO_WORD = ['sony ericsson', 'hmd global'];

export function canonicalMake(make: string): string {
  const s = make.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const t of TWO_WORD) if (s.startsWith(t)) return t;
  const first = s.split(/[ ,.]/)[0] ?? s;
  return ALIASES[first] ?? first;
}

const PHONE_BRANDS = new Set(['apple', 'google', 'htc', 'motorola', 'oppo', 'blackberry', 'jolla', 'hmd global', 'sony ericsson', 'nokia', 'huawei', 'xiaomi', 'oneplus', 'lg', 'zte', 'meizu', 'vivo', 'realme']);
/** Model names of phones sold under camera brands too (Samsung Galaxy, Sony Xperia, ...). */
const PHONE_MODEL = /iphone|galaxy|\bsm-|\bgt-|nexus|pixel|lumia|xperia|moto|redmi|\bmi \d/i;

export function isPhone(make: string, model: string): boolean {
  return PHONE_BRANDS.has(canonicalMake(make)) || PHONE_MODEL.test(model);
}

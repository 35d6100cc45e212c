/** exiftool's print tables for the enumerated EXIF tags (Image::ExifTool::Exif). */

export const ORIENTATION: Record<number, string> = {
  1: 'Horizontal (normal)', 2: 'Mirror horizontal', 3: 'Rotate 180', 4: 'Mirror vertical',
  5: 'Mirror horizontal and rotate 270 CW', 6: 'Rotate 90 CW', 7: 'Mirror horizontal and rotate 90 CW',
  8: 'Rotate 270 CW',
};
export const RESOLUTION_UNIT: Record<number, string> = { 1: 'None', 2: 'inches', 3: 'cm' };
export const FOCAL_PLANE_UNIT: Record<number, string> = { 1: 'None', 2: 'inches', 3: 'cm', 4: 'mm', 5: 'um' };
export const YCBCR_POSITIONING: Record<number, string> = { 1: 'Centered', 2: 'Co-sited' };
export const EXPOSURE_PROGRAM: Record<number, string> = {
  0: 'Not Defined', 1: 'Manual', 2: 'Program AE', 3: 'Aperture-priority AE', 4: 'Shutter speed priority AE',
  5: 'Creative (Slow speed)', 6: 'Action (High speed)', 7: 'Portrait', 8: 'Landscape', 9: 'Bulb',
};
export const METERING_MODE: Record<number, string> = {
  0: 'Unknown', 1: 'Average', 2: 'Center-weighted average', 3: 'Spot', 4: 'Multi-spot', 5: 'Multi-segment',
  6: 'Partial', 255: 'Other',
};
export const LIGHT_SOURCE: Record<number, string> = {
  0: 'Unknown', 1: 'Daylight', 2: 'Fluorescent', 3: 'Tungsten (Incandescent)', 4: 'Flash', 9: 'Fine Weather',
  10: 'Cloudy', 11: 'Shade', 12: 'Daylight Fluorescent', 13: 'Day White Fluorescent', 14: 'Cool White Fluorescent',
  15: 'White Fluorescent', 16: 'Warm White Fluorescent', 17: 'Standard Light A', 18: 'Standard Light B',
  19: 'Standard Light C', 20: 'D55', 21: 'D65', 22: 'D75', 23: 'D50', 24: 'ISO Studio Tungsten', 255: 'Other',
};
export const FLASH: Record<number, string> = {
  0x00: 'No Flash', 0x01: 'Fired', 0x05: 'Fired, Return not detected', 0x07: 'Fired, Return detected',
  0x08: 'On, Did not fire', 0x09: 'On, Fired', 0x0d: 'On, Return not detected', 0x0f: 'On, Return detected',
  0x10: 'Off, Did not fire', 0x14: 'Off, Did not fire, Return not detected', 0x18: 'Auto, Did not fire',
  0x19: 'Auto, Fired', 0x1d: 'Auto, Fired, Return not detected', 0x1f: 'Auto, Fired, Return detected',
  0x20: 'No flash function', 0x30: 'Off, No flash function', 0x41: 'Fired, Red-eye reduction',
  0x45: 'Fired, Red-eye reduction, Return not detected', 0x47: 'Fired, Red-eye reduction, Return detected',
  0x49: 'On, Red-eye reduction', 0x4d: 'On, Red-eye reduction, Return not detected',
  0x4f: 'On, Red-eye reduction, Return detected', 0x50: 'Off, Red-eye reduction',
  0x58: 'Auto, Did not fire, Red-eye reduction', 0x59: 'Auto, Fired, Red-eye reduction',
  0x5d: 'Auto, Fired, Red-eye reduction, Return not detected', 0x5f: 'Auto, Fired, Red-eye reduction, Return detected',
};
export const COLOR_SPACE: Record<number, string> = {
  1: 'sRGB', 2: 'Adobe RGB', 0xffff: 'Uncalibrated', 0xfffe: 'ICC Profile', 0xfffd: 'Wide Gamut RGB',
};
export const SENSING_METHOD: Record<number, string> = {
  1: 'Not defined', 2: 'One-chip color area', 3: 'Two-chip color area', 4: 'Three-chip color area',
  5: 'Color sequential area', 7: 'Trilinear', 8: 'Color sequential linear',
};
export const FILE_SOURCE: Record<number, string> = { 1: 'Film Scanner', 2: 'Reflection Print Scanner', 3: 'Digital Camera' };
export const SCENE_TYPE: Record<number, string> = { 1: 'Directly photographed' };
export const CUSTOM_RENDERED: Record<number, string> = {
  0: 'Normal', 1: 'Custom', 2: 'HDR (no original saved)', 3: 'HDR (original saved)', 4: 'Original (for HDR)',
  6: 'Panorama', 7: 'Portrait HDR', 8: 'Portrait',
};
export const EXPOSURE_MODE: Record<number, string> = { 0: 'Auto', 1: 'Manual', 2: 'Auto bracket' };
export const WHITE_BALANCE: Record<number, string> = { 0: 'Auto', 1: 'Manual' };
export const SCENE_CAPTURE_TYPE: Record<number, string> = { 0: 'Standard', 1: 'Landscape', 2: 'Portrait', 3: 'Night', 4: 'Other' };
export const GAIN_CONTROL: Record<number, string> = {
  0: 'None', 1: 'Low gain up', 2: 'High gain up', 3: 'Low gain down', 4: 'High gain down',
};
export const NORMAL_LOW_HIGH: Record<number, string> = { 0: 'Normal', 1: 'Low', 2: 'High' };
export const SHARPNESS: Record<number, string> = { 0: 'Normal', 1: 'Soft', 2: 'Hard' };
export const SUBJECT_DISTANCE_RANGE: Record<number, string> = { 0: 'Unknown', 1: 'Macro', 2: 'Close', 3: 'Distant' };
export const SENSITIVITY_TYPE: Record<number, string> = {
  0: 'Unknown', 1: 'Standard Output Sensitivity', 2: 'Recommended Exposure Index', 3: 'ISO Speed',
  4: 'Standard Output Sensitivity and Recommended Exposure Index', 5: 'Standard Output Sensitivity and ISO Speed',
  6: 'Recommended Exposure Index and ISO Speed',
  7: 'Standard Output Sensitivity, Recommended Exposure Index and ISO Speed',
};

/**
 * Tags that identify a person, a device unit or a place rather than a camera model. They are
 * dropped when EXIF is read, so they never reach an index file, a text or a log, and the text
 * builder checks again for records that come from elsewhere (img2dataset JSON).
 */

const SENSITIVE_EXACT = new Set([
  // people
  'Artist', 'Copyright', 'OwnerName', 'CameraOwnerName', 'XPAuthor', 'By-line', 'Creator', 'Rights',
  // this one unit of a camera or lens
  'SerialNumber', 'BodySerialNumber', 'LensSerialNumber', 'InternalSerialNumber', 'CameraSerialNumber',
  'ImageUniqueID',
  // free text written by someone
  'ImageDescription', 'UserComment', 'XPComment', 'XPTitle', 'XPSubject', 'XPKeywords',
  // opaque vendor blobs (maker notes can hold serials; PrintIM/Padding carry no camera trait we can print)
  'MakerNote', 'PrintIM', 'Padding', 'OffsetSchema',
]);

/** True for a tag name that must never be stored or written into a text. */
export function isSensitiveTag(name: string): boolean {
  if (SENSITIVE_EXACT.has(name)) return true;
  // GPSLatitude, GPSInfo, ...; exifr's computed `latitude`/`longitude` (it adds them whenever a
  // GPS IFD exists, even with gps: false); anything that calls itself a serial number or an owner.
  return /^GPS/i.test(name) || /^(latitude|longitude|altitude)$/i.test(name) || /serial/i.test(name) || /owner/i.test(name);
}

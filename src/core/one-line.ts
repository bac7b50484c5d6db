// Line breaks of every kind (CR, LF, NEL U+0085, which arrives intact in an HTTP header as the
// byte 0x85, U+2028 and U+2029), the other C0 and C1 controls, and the bidirectional overrides
// that reorder what a reader sees: what text from outside must not carry into a line of ours
// (an email's line, a person's name).
const BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** `text` as one line: each run of breaks and controls a space, trimmed. */
export function oneLine(text: string): string {
  return text.replace(BREAKS_AND_CONTROLS, ' ').trim();
}

/** Longest name kept (characters); longer names are cut with an ellipsis. */
export const MAX_NAME_LENGTH = 1024;

/**
 * Makes a user-supplied file name safe to keep as DATA (database text, JSON,
 * logs): control characters (including NUL, which PostgreSQL text rejects)
 * become U+FFFD and very long names are shortened. Everything else, including
 * SQL-ish or HTML text, is kept verbatim. Names are never used as paths.
 */
export function cleanName(name: string, maxLength: number = MAX_NAME_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  if (cleaned.length <= maxLength) return cleaned;
  return `${Array.from(cleaned).slice(0, maxLength - 1).join('')}…`;
}

/** The last path segment of an entry name: "a/b/c.jpg" -> "c.jpg". */
export function baseName(name: string): string {
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

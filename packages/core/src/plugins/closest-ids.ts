/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Up to `limit` candidates closest to `id`, closest first; a candidate containing `id` (or contained by it) counts as close. */
export function closestIds(id: string, candidates: readonly string[], limit = 3): string[] {
  const scored = candidates.map((candidate) => {
    const contains = candidate.includes(id) || id.includes(candidate);
    return { candidate, distance: contains ? 0 : editDistance(id, candidate) };
  });
  const threshold = Math.max(3, Math.ceil(id.length / 2));
  return scored
    .filter((entry) => entry.distance <= threshold)
    .sort((left, right) => left.distance - right.distance || left.candidate.localeCompare(right.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

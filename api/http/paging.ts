// Paging for the screens' lists: the number of pages and the link to each, keeping the list's filter.
export const pageCount = (total: number, pageSize: number) => Math.max(1, Math.ceil(total / pageSize));

/** `(p) => url of page p` for a list at `path` filtered by `params` (empty values are kept, as the forms send them). */
export function pageUrlFor(path: string, params: Record<string, string | number | undefined | null>) {
  const base: Record<string, string> = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v == null ? '' : String(v)]));
  return (p: number) => `${path}?${new URLSearchParams({ ...base, page: String(p) })}`;
}

'use client';

import { useCallback, useState } from 'react';

export interface CursorPages {
  /** The `before` cursor of the page shown; undefined on the first (newest) page. */
  before: string | undefined;
  /** Whether the page shown is the first, so "no rows" means the list is empty rather than paged past its end. */
  first: boolean;
  newer: () => void;
  older: (nextBefore: string) => void;
  /** Back to the first page: the list's filters changed. */
  reset: () => void;
}

/**
 * Paging over a list answered newest first with a `next_before` cursor: the cursors of the
 * pages seen so far are kept, so "Newer" goes back one without the API having to page forwards.
 */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const newer = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  const older = useCallback((nextBefore: string) => setCursors((c) => [...c, nextBefore]), []);
  const reset = useCallback(() => setCursors([undefined]), []);
  return { before: cursors.at(-1), first: cursors.length === 1, newer, older, reset };
}

/** The Newer / Older buttons under a paged list. */
export function Pager({ pages, nextBefore }: { pages: CursorPages; nextBefore: string | null }) {
  return (
    <div className="actions">
      <button type="button" className="btn" disabled={pages.first} onClick={pages.newer}>
        Newer
      </button>
      <button type="button" className="btn" disabled={nextBefore === null} onClick={() => nextBefore !== null && pages.older(nextBefore)}>
        Older
      </button>
    </div>
  );
}

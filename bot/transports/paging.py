"""Long option lists shown a page at a time, the same way in every transport."""

from __future__ import annotations


def pages(count: int, size: int) -> list[range]:
    """The options of each page (indexes) for ``count`` options, at most ``size`` a page; a last page of a
    few options only (at most a third of a page) goes on the page before it, so no page turn shows one or
    two options on their own."""
    if count <= size:
        return [range(count)]
    starts = list(range(0, count, size))
    if count - starts[-1] <= size // 3:
        starts.pop()
    ends = [*starts[1:], count]
    return [range(start, end) for start, end in zip(starts, ends, strict=True)]

"""One API contract (issue 11, item 5), read from the routes themselves: a second way of doing the same thing
fails here as it appears."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from config.api import api


def _operations() -> Iterator[tuple[str, Any]]:
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                yield "/" + (prefix + path).strip("/"), operation


def test_updates_are_patch_everywhere():
    put = [path for path, op in _operations() if "PUT" in op.methods]
    # POST on an object's own address would be an update in disguise; POST makes things or runs actions.
    posted_over = [path for path, op in _operations() if "POST" in op.methods and path.endswith("}")]
    assert put == [] and posted_over == [], (put, posted_over)


def test_the_routes_are_read():
    methods = {method for _path, op in _operations() for method in op.methods}
    assert {"GET", "POST", "PATCH"} <= methods  # the walk above sees the real API


def _answer(operation: Any) -> Any:
    """What a GET answers with 200 (None for a file or a page)."""
    model = (operation.response_models or {}).get(200)
    return model.model_fields["response"].annotation if hasattr(model, "model_fields") else None


def _listed(operation: Any) -> bool:
    """A GET answering a bare list: a list that cannot say there is more."""
    return getattr(_answer(operation), "__origin__", None) is list


# Whole, small and bounded by what they are (a code table, one tree, the top N asked for, near matches): never
# cut, so nothing to page.
WHOLE = {
    "GET /cases/categories", "GET /cases/nearby", "GET /cases/{int:case_id}/duplicates", "GET /party/orgs/tree",
    "GET /party/orders/categories", "GET /points/rankings", "GET /points/rules", "GET /residents/tags",
}


def test_every_list_endpoint_pages_and_says_when_there_is_more():
    bare = {f"GET {path}" for path, op in _operations() if "GET" in op.methods and _listed(op)}
    assert bare - WHOLE == set(), "a list endpoint answers a bare list: use core.api.page_of/paged"
    assert bare >= WHOLE, "no longer a bare list: take it off WHOLE"
    with_items = {
        f"GET {path}": answer.model_fields
        for path, op in _operations()
        if "GET" in op.methods and "items" in getattr(answer := _answer(op), "model_fields", {})
    }
    silent = {path for path, fields in with_items.items() if "next_after" not in fields}
    assert len(with_items) > 20 and silent == set(), f"items cut without next_after: use core.api.page_of {silent}"


def test_every_page_is_the_one_page_shape():
    from linli.core.api import _PAGES

    pages = {
        f"GET {path}": answer
        for path, op in _operations()
        if "GET" in op.methods and "next_after" in getattr(answer := _answer(op), "model_fields", {})
    }
    hand_made = {path: answer.__name__ for path, answer in pages.items() if answer not in _PAGES.values()}
    assert len(pages) > 30 and hand_made == {}, "a page class of its own: use core.api.page_of"

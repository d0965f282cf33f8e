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

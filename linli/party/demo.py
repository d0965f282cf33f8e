"""The party's demo data: organisations, members, partners and meetings (``demo_org``). The orders and
wishes of the demo come after it (``linli.orders.demo``)."""

from __future__ import annotations


def demo_extend(demo) -> None:
    from linli.party import demo_org

    demo_org.extend(demo)

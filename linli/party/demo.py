"""The party's demo data: organisations, members, partners and meetings (``demo_org``), then orders and
wishes (``demo_service``)."""

from __future__ import annotations


def demo_extend(demo) -> None:
    from linli.party import demo_org, demo_service

    demo_org.extend(demo)
    demo_service.extend(demo)

"""``linli import-hotline FILE --community X``: import 12345 tickets (CSV, Excel or JSON)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.cases.hotline import hotline_import


class Command(BaseCommand):
    help = "Import 12345 hotline tickets (CSV, .xlsx or JSON); re-importing a ticket changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--community", default="", help="The community's code, name or id (address matching).")

    def handle(self, *args, **options):
        from linli.places.kinds import PlaceKind
        from linli.places.selectors import places_of_kind

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        community = None
        if options["community"]:
            value = options["community"]
            qs = places_of_kind(PlaceKind.COMMUNITY)
            community = (qs.filter(code=value).first() or qs.filter(name=value).first()
                         or (qs.filter(pk=int(value)).first() if value.isdigit() else None))
            if community is None:
                raise CommandError(f"no such community: {value}")
        result = hotline_import(content=path.read_bytes(), filename=path.name, community=community, actor=None)
        for p in result.problems:
            self.stdout.write(f"row {p.row} {p.column}: {p.message}")
        self.stdout.write(
            f"{len(result.created)} created, {len(result.unchanged)} already imported, "
            f"{result.matched} addresses matched, {len(result.problems)} problems"
        )
        if result.problems:
            raise CommandError("some tickets were not imported")

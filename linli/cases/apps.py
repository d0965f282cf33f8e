from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Cases")

    def restore_after_flush(self, using: str) -> None:
        """Put the default categories back after a flush (transactional tests): intake and care read them."""
        from linli.cases.defaults import categories_restore_default

        categories_restore_default()

    def ready(self) -> None:
        # A moved place's cases and KPI rollups answer to the community and street above it now (their
        # paths follow by themselves: linli/places/paths.py).
        from linli.places.paths import move_hook_register

        move_hook_register(cases_after_move)

        from linli.cases.media import case_photo_visible
        from linli.core.media import media_register

        media_register("cases/", case_photo_visible)

        from linli.cases.digest import case_digest
        from linli.notifications.digest import digest_section_register

        digest_section_register("cases", case_digest)

        # The audit log reads a case's category by name and a revealed reporter's phone by its label.
        from linli.core.views import audit_value_labels_register

        audit_value_labels_register("category", _category_labels, actions="cases.")
        audit_value_labels_register("field", lambda: {"reporter_phone": _("Reporter's phone")}, actions="pii.")


def _category_labels() -> dict[str, str]:
    from linli.cases.models import Category

    return dict(Category.objects.values_list("code", "name"))


def cases_after_move(*, old_path: str, new_path: str) -> int:
    """After a move, the KPI rollups below ``new_path`` take the community and street above them (a grid
    moved to another community counts there from now on, its history included). The cases' own
    community and grid keys follow with every app's (``place_kinds_follow``, linli/places/paths.py); the
    rollups keep plain ids."""
    from linli.cases.models_kpi import CaseStateCount, KpiRollup
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids

    ids = [int(x) for x in new_path.strip("/").split("/") if x.isdigit()]
    kinds = dict(places_by_ids(ids).values_list("pk", "kind"))
    community = next((i for i in ids if kinds.get(i) == PlaceKind.COMMUNITY), None)
    street = next((i for i in ids if kinds.get(i) == PlaceKind.STREET), 0)
    rollups = KpiRollup.objects.filter(place_path__startswith=new_path)
    if community is None or community not in ids[:-1]:
        # The moved place is a community or above: its rollups keep their community; the street may change.
        return rollups.update(street_id=street)
    # The open cases' counters keep the community too (their paths followed with every app's).
    counters = CaseStateCount.objects.filter(place_path__startswith=new_path).update(community_id=community)
    return rollups.update(community_id=community, street_id=street) + counters

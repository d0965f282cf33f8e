"""Every write to the registry: ``<entity>_<verb>(*, ..., actor)``. Each writes its own audit row.

Nothing is deleted. Moving out, death and moving in end rows with dates (occupancies, household
memberships, tags) and change the person's status, so the history stays readable.

``actor=None`` is the system (commands, the demo): no scope or permission check.
"""

from linli.residents.actions._common import REGISTRATION_KINDS, derive_person_fields
from linli.residents.actions.households import (
    _leave_household,
    household_add_member,
    household_create,
    household_end_member,
)
from linli.residents.actions.imports import (
    import_job_create,
    import_job_run,
    import_jobs_purge,
    import_progress,
)
from linli.residents.actions.organisations import (
    organisation_close,
    organisation_create,
    organisation_serve,
    organisation_serve_end,
    organisation_update,
)
from linli.residents.actions.persons import (
    EDITABLE_PERSON_FIELDS,
    occupancy_end,
    occupancy_start,
    person_create,
    person_move_in,
    person_move_out,
    person_record_death,
    person_update,
)
from linli.residents.actions.search import number_probe, number_search
from linli.residents.actions.tags import person_tag_add, person_tag_end, tag_create

__all__ = [
    "EDITABLE_PERSON_FIELDS",
    "REGISTRATION_KINDS",
    "_leave_household",
    "derive_person_fields",
    "household_add_member",
    "household_create",
    "household_end_member",
    "import_job_create",
    "import_job_run",
    "import_jobs_purge",
    "import_progress",
    "number_probe",
    "number_search",
    "occupancy_end",
    "occupancy_start",
    "organisation_close",
    "organisation_create",
    "organisation_serve",
    "organisation_serve_end",
    "organisation_update",
    "person_create",
    "person_move_in",
    "person_move_out",
    "person_record_death",
    "person_tag_add",
    "person_tag_end",
    "person_update",
    "tag_create",
]

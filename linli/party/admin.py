"""Party admin: nothing is registered. Organisations, members, registrations, meetings and partners are
governance data (members are registry persons), changed only through ``linli.party.actions`` from the
party pages and the API; the administrators' roles see no resident data (see ``linli/cases/admin.py``)."""

"""Orders admin: nothing is registered. Orders and wishes name residents; they change only through
``linli.orders.actions`` from the pages and the API (see ``linli/cases/admin.py``)."""

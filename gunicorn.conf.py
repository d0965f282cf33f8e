"""gunicorn reads this file from its working directory (the project folder): the access log leaves out
the values of query strings (a search by a full ID number or phone must not sit in a log) and the error
log masks ID numbers and phones (linli/core/logging.py)."""

logger_class = "linli.core.logging.RedactingGunicornLogger"

"""What core's models hold of a person, for the anonymisation after the retention period (``linli.privacy``,
whose coverage test reads these declarations). The audit log is rewritten by ``linli.privacy`` itself (it
names a person in full in rows written before ``audit_repr``, and an anonymised login by its old name):
the one writer allowed through the log's triggers, inside ``core.append_only.redaction``."""

ANONYMISED = {
    "AuditEntry": "rows about the person name them as the registry now does; the name, phone and ID number leave "
                  "every row's object name and details; an anonymised login's rows take its new name",
}
NOTHING_PERSONAL = {
    "CalendarDay": "a day of the holiday calendar",
    "WorkerHeartbeat": "a worker's name and last beat",
    "TaskRun": "a task's name, key and arguments (ids, never names)",
    "RateHit": "a keyed hash of a limited key, deleted within a day (core.ratelimit.rate_prune)",
    "ExportJob": "an export's filters (a search may name a person) and its file: the file is removed after "
                 "LINLI_EXPORT_KEEP_MINUTES (2 h), the row after a week (core.export_jobs reaper), long before any "
                 "retention period ends",
}

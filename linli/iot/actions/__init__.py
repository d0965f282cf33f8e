"""Every write of smart monitoring: ``<entity>_<verb>(*, ..., actor)``.

- devices: ``device_register``, ``devices_import`` (Excel), ``device_token_issue``, ``device_token_revoke``,
  ``device_maintenance``, ``device_authenticate`` (the HTTP door's token check);
- readings: ``readings_ingest`` (HTTP and MQTT both come here), ``reading_parse``;
- alarms: ``alarm_acknowledge``, ``alarm_clear`` (the table in ``workflow.py``), ``alarms_check_offline``;
- rules: ``rule_create``, ``rule_update``, ``rule_set_active`` (enable/disable), ``rules_default_ensure``;
- upkeep: ``readings_rollup``, ``readings_prune``;
- facilities: ``facility_create``, ``facilities_import`` (Excel), ``facility_update``, ``facility_delete``.

``actor=None`` is the system (the ingest, tasks, the demo): no scope or role check.
"""

from linli.iot.actions.alarms import alarm_acknowledge, alarm_clear, alarm_transition, alarms_check_offline
from linli.iot.actions.devices import (
    device_authenticate,
    device_maintenance,
    device_register,
    device_token_issue,
    device_token_revoke,
    devices_import,
    facilities_import,
    facility_create,
    facility_delete,
    facility_update,
)
from linli.iot.actions.ingest import IngestResult, reading_parse, readings_ingest
from linli.iot.actions.rules import rule_create, rule_set_active, rule_update, rules_default_ensure
from linli.iot.actions.upkeep import readings_prune, readings_rollup

__all__ = [
    "IngestResult",
    "alarm_acknowledge",
    "alarm_clear",
    "alarm_transition",
    "alarms_check_offline",
    "device_authenticate",
    "device_maintenance",
    "device_register",
    "device_token_issue",
    "device_token_revoke",
    "devices_import",
    "facilities_import",
    "facility_create",
    "facility_delete",
    "facility_update",
    "reading_parse",
    "readings_ingest",
    "readings_prune",
    "readings_rollup",
    "rule_create",
    "rule_set_active",
    "rule_update",
    "rules_default_ensure",
]

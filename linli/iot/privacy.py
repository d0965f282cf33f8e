"""What the devices and alarms hold of a person, for the anonymisation's coverage test (``linli.privacy``)."""

NOTHING_PERSONAL = {
    "Device": "a device's code, name, place and token hash",
    "Reading": "a measured value and its unit",
    "AlarmRule": "a rule's name and threshold (configuration)",
    "Alarm": "an alarm of a device and who acknowledged or cleared it (staff logins)",
    "AlarmEvent": "staff's actions on an alarm (an anonymised login's name is rewritten by linli.privacy)",
    "Facility": "a facility's name, address and hours",
}

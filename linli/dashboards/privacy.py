"""What the dashboards hold of a person, for the anonymisation's coverage test (``linli.privacy``)."""

NOTHING_PERSONAL = {
    "MonthlyReport": "a place's monthly figures (counts and rates, no rows)",
}

"""What the place tree holds of a person, for the anonymisation's coverage test (``linli.privacy``)."""

NOTHING_PERSONAL = {
    "Place": "a place's name, code, path and shape (a house is named by its number, never by who lives there)",
}

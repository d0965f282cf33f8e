"""What the Open311 adapter holds of a person, for the anonymisation's coverage test (``linli.privacy``)."""

NOTHING_PERSONAL = {
    "Open311Key": "an API key's name, prefix and hash, made by staff for a client system",
}

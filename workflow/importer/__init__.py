"""Importing a directive from its text: normalise, parse into a reviewable document, confirm.

    document = parse_text(text, on=date(2022, 8, 1))   # a plain dict, JSON-serialisable
    directive = breakdown_confirm(actor=user, document=document)

``parse`` reads the database (the agency registry) but never writes; ``confirm`` writes
everything through ``workflow.services`` in one transaction.
"""

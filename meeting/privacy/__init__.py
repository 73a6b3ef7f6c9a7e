"""A member's rights over what Vendredi keeps about them (RGPD, issue 14): `export.py` (their
data as JSON and a readable Markdown archive, behind a signed link that expires), `erasure.py`
(their billets and personal data deleted, their name in the archive turned into a pseudonym),
`views.py` (the privacy page `/confidentialite`, the download, the confirmation pages) and
`events.py` (the commands)."""

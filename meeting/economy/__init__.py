"""The place's economy: the year's budget, gifts, contributions in kind, the catalogue of goods
and services and its uses. Money is integer cents everywhere (`money.py`)."""

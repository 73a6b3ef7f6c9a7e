"""The life of the place over time, as pictures: attendance, decisions and actions, needs met,
the budget over the year, the anonymous weather of Fridays (server-rendered SVG, data tables,
CSV)."""

"""When the year's figures change (a gift received, a use recorded, a need met with a value, an
expense, the budget's lines), the pages that show them live are told: the Friday's
"Où en est-on ?" panel registers here (`on_figures_changed`), the economy's services call
`figures_changed(c)` inside their change, and the listeners run after the commit."""

_listeners = []


def on_figures_changed(listener):
    """Register `listener()` (no argument) to run after any change of the year's figures."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def figures_changed(c):
    """Inside an open change: the listeners run after its commit (a failure is logged)."""
    for listener in _listeners:
        c.after_commit(listener)

"""The public face of the live meeting: what views, socket handlers, other features and tests
call. Each function lives in the module named after its noun (items, roles, session, floor,
rounds, guests, state); this module only gathers them."""

from ..meetings.services import close_meeting as close_live  # noqa: F401
from ..meetings.services import start_meeting as start_live  # noqa: F401
from .floor import give_floor, lower_hand, raise_hand  # noqa: F401
from .guests import attendance_of, join_as_guest  # noqa: F401
from .items import (  # noqa: F401
    ENTRY_TO_ITEM,
    add_entries,
    add_item,
    candidates,
    move_item,
    postpone,
    prepare_agenda,
    remove_item,
    reorder,
    set_timebox,
)
from .roles import (  # noqa: F401
    assign_role,
    mark_present,
    phone_followers,
    publish_followers,
    rotation_suggestions,
    set_attendance,
    unrecorded_followers,
)
from .rounds import answer_round, close_round, start_round  # noqa: F401
from .rules import DEFAULT_TIMEBOX, MAX_TIMEBOX, bump_revision, clean_timebox  # noqa: F401
from .session import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, advance, control_timer  # noqa: F401
from .state import (  # noqa: F401
    REGIONS,
    VIEWS,
    actions_of,
    agenda_items,
    attendance,
    current_item,
    day_roles,
    decisions_of,
    estimated_end,
    get_meeting,
    last_round,
    live_context,
    live_fact,
    live_meeting,
    live_state,
    open_round,
    publish_live,
    render_regions,
    round_results,
    speaker_queue,
    timer_state,
    view_for,
)

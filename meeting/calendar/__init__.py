"""The place's calendar: events decided on Friday (or added by facilitators), their views, the
iCal feeds and what the place's website embeds."""

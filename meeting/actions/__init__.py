"""Who does what by when, after Friday: "mes actions", done, reminders."""

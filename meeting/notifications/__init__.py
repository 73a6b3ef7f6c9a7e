"""In-app notifications: what a member is told (their proposal moved…), read on `/notifications`."""

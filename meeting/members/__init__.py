"""Members: sign-in (password, magic link), invitations, roles, profile."""

"""The JSON API `/api/v1/…` and its OpenAPI document `/api/openapi.json` (views.py assembles
them): reads through the features' public read functions and permission predicates, writes
through the command registry's "api" door, personal tokens (tokens.py, `/profil/jetons`)."""

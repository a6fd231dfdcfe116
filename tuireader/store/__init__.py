"""Stores for a reader's own data: config, state, bookmarks. No Textual."""

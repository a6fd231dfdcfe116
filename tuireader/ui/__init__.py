"""The Textual reader. Imported only when the app opens (see ``tuireader.cli``)."""

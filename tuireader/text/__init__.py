"""Text setting and sanitising: Chinese line breaking, safe visible text (no Textual)."""

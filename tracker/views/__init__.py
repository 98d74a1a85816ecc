"""Views: reader pages (pages), embeds for other sites (embeds), CSV and JSON (downloads)."""

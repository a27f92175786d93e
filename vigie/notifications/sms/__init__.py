"""Text messages: length and encoding, French mobile numbers, providers, inbound webhook."""

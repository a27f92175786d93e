"""Records the GDPR asks of us beyond the data itself."""

"""Turn raw CMS input (HTML or plain text) into clean article sentences."""
